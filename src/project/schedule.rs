//! The order in which the first pass takes files.
//!
//! A file's syntax tree and model take some 25 to 30 times its size in memory
//! (TypeScript's 9 MB `lib/typescript.js`: a peak of 240 MB), and every page of a run's peak
//! is a page fault the kernel has to serve. Taken in walk order, two bundles of several
//! megabytes (`lib/typescript.js` and `lib/_tsc.js` are neighbours) are linted side by side
//! and the peak is both at once. So the large files go to a serial lane ([`crate::budget::
//! run_lanes`]), largest first: one worker lints them one after another from the start, each
//! reusing the memory of the one before, while the other workers take the rest in walk order.

/// A file of at least this many bytes is large (a bundle, a generated table).
pub const LARGE_BYTES: u64 = 1 << 20;

/// The order of the indexes of `sizes` (file sizes in bytes, in walk order) in which to take
/// the files, and how many of its first ones are large: the serial lane.
pub fn order(sizes: &[u64]) -> (Vec<usize>, usize) {
    let mut large: Vec<usize> = (0..sizes.len())
        .filter(|&i| sizes[i] >= LARGE_BYTES)
        .collect();
    // Largest first: the longest job starts at once rather than last.
    large.sort_by_key(|&i| std::cmp::Reverse(sizes[i]));
    let serial = large.len();
    let mut order = large;
    order.extend((0..sizes.len()).filter(|&i| sizes[i] < LARGE_BYTES));
    (order, serial)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MB: u64 = 1 << 20;

    #[test]
    fn small_files_keep_walk_order() {
        assert_eq!(order(&[10, 20, 30]), (vec![0, 1, 2], 0));
        assert_eq!(order(&[]), (vec![], 0));
    }

    #[test]
    fn large_files_come_first_largest_first() {
        assert_eq!(
            order(&[100, 6 * MB, 200, 9 * MB, MB - 1, MB]),
            (vec![3, 1, 5, 0, 2, 4], 3)
        );
    }
}
