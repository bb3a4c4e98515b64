//! The closest names to one that was mistyped, as git's "did you mean?" offers them: by edit
//! distance (a swap of two neighbours counts as one edit), and a name that holds the typed one
//! (`xss` for `fix-xss`) counts as close. Pure.

/// Up to `most` of `names` close to `typed`, closest first (then by name).
pub fn closest<'a>(
    typed: &str,
    names: impl IntoIterator<Item = &'a str>,
    most: usize,
) -> Vec<&'a str> {
    let typed_chars: Vec<char> = typed.chars().collect();
    let allowed = (typed_chars.len() / 3).max(2);
    let mut scored: Vec<(usize, &str)> = names
        .into_iter()
        .filter(|name| *name != typed && !typed.is_empty())
        .filter_map(|name| {
            let d = distance(&typed_chars, &name.chars().collect::<Vec<_>>());
            (d <= allowed || name.contains(typed)).then_some((d, name))
        })
        .collect();
    scored.sort();
    scored.dedup();
    scored.into_iter().take(most).map(|(_, n)| n).collect()
}

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of
/// neighbours, each one edit.
fn distance(a: &[char], b: &[char]) -> usize {
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIRROR: [&str; 5] = ["main", "fix-xss", "fix-csrf", "feature-login", "fix-xss-2"];

    #[test]
    fn typos_swaps_and_parts_find_the_name() {
        assert_eq!(closest("fix-xxs", MIRROR, 3), ["fix-xss"]);
        assert_eq!(closest("fix-crsf", MIRROR, 3), ["fix-csrf"]);
        assert_eq!(closest("xss", MIRROR, 3), ["fix-xss", "fix-xss-2"]);
        assert_eq!(closest("fix-", MIRROR, 2), ["fix-xss", "fix-csrf"]);
        assert_eq!(closest("mian", MIRROR, 3), ["main"]);
    }

    #[test]
    fn nothing_close_is_nothing() {
        assert!(closest("release-notes", MIRROR, 3).is_empty());
        assert!(closest("", MIRROR, 3).is_empty());
        assert!(closest("fix-xss", ["fix-xss"], 3).is_empty());
        assert!(closest("ab", Vec::<&str>::new(), 3).is_empty());
    }

    #[test]
    fn distances() {
        let d = |a: &str, b: &str| {
            distance(
                &a.chars().collect::<Vec<_>>(),
                &b.chars().collect::<Vec<_>>(),
            )
        };
        assert_eq!(d("", "abc"), 3);
        assert_eq!(d("abc", "acb"), 1);
        assert_eq!(d("kitten", "sitting"), 3);
        assert_eq!(d("ünï", "uni"), 2);
    }
}
