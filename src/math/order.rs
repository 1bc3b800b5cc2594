//! One sort for the whole crate.
//!
//! Every generic sort (`sort_by`, `sort_by_key`, `sort_unstable`) is compiled anew for each
//! element type and comparator: nine stable and several unstable copies of the standard
//! library's sort made up 46 KB of the wasm. Here every sort of this crate goes through one
//! instantiation: the items are described by `SortKey`s (a `u64` major key, an `f64` minor key
//! in IEEE total order, and the item's index as the last tie-break), those are sorted, and the
//! items are moved into that order. Because the index breaks every remaining tie, the order is
//! exactly the one a stable sort gives on (major, minor), whatever algorithm sorts the keys.

use std::cmp::Ordering;

/// What one item is sorted by: `major` first, then `minor` (`f64::total_cmp`: -NaN < -inf <
/// ... < -0.0 < 0.0 < ... < inf < NaN), then `index`, the item's position before sorting.
#[derive(Clone, Copy, Debug)]
struct SortKey {
    major: u64,
    minor: f64,
    index: usize,
}

/// The one comparator of the crate's sorts.
fn compare(a: &SortKey, b: &SortKey) -> Ordering {
    a.major.cmp(&b.major).then(a.minor.total_cmp(&b.minor)).then(a.index.cmp(&b.index))
}

/// The one sort of the crate. Not inlined, so that the standard library's sort is compiled
/// once, for `SortKey` and `compare`.
#[inline(never)]
fn sort_keys(keys: &mut [SortKey]) {
    keys.sort_unstable_by(compare);
}

/// The indices of the items in sorted order, given each item's (major, minor) key: by `major`,
/// then `minor` in IEEE total order, equal keys in their original order (a stable sort).
pub fn order(keys: impl IntoIterator<Item = (u64, f64)>) -> Vec<usize> {
    let mut keys: Vec<SortKey> =
        keys.into_iter().enumerate().map(|(index, (major, minor))| SortKey { major, minor, index }).collect();
    sort_keys(&mut keys);
    keys.into_iter().map(|k| k.index).collect()
}

/// `items` sorted by `key` (major, then minor in IEEE total order), stably: what
/// `items.sort_by(..)` with the same comparison gives.
pub fn sorted_by<T>(items: Vec<T>, key: impl Fn(&T) -> (u64, f64)) -> Vec<T> {
    let order = order(items.iter().map(key));
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots.get_mut(i).and_then(Option::take)).collect()
}

/// `items` sorted by an unsigned key, stably (`sort_by_key` on a `u64`).
pub fn sorted_by_u64<T>(items: Vec<T>, key: impl Fn(&T) -> u64) -> Vec<T> {
    sorted_by(items, |item| (key(item), 0.0))
}

/// `items` sorted by a float key in IEEE total order, stably (`sort_by` with `f64::total_cmp`).
pub fn sorted_by_f64<T>(items: Vec<T>, key: impl Fn(&T) -> f64) -> Vec<T> {
    sorted_by(items, |item| (0, key(item)))
}

/// A map of `pairs`, the last value of a repeated key winning: what `collect()` gives, without
/// the sort `BTreeMap::from_iter` compiles for every iterator type it is called with.
pub fn map_from<K: Ord, V>(pairs: impl IntoIterator<Item = (K, V)>) -> std::collections::BTreeMap<K, V> {
    let mut map = std::collections::BTreeMap::new();
    for (key, value) in pairs {
        map.insert(key, value);
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Floats with many ties, both zeros, infinities and NaNs of both signs.
    fn awkward_float() -> impl Strategy<Value = f64> {
        prop_oneof![
            (-3i32..3).prop_map(f64::from),
            Just(0.0),
            Just(-0.0),
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY),
            Just(f64::NAN),
            Just(-f64::NAN),
            any::<f64>(),
        ]
    }

    proptest! {
        #[test]
        fn order_is_the_standard_stable_sort(keys in prop::collection::vec((0u64..4, awkward_float()), 0..80)) {
            let mut expected: Vec<usize> = (0..keys.len()).collect();
            expected.sort_by(|&a, &b| keys[a].0.cmp(&keys[b].0).then(keys[a].1.total_cmp(&keys[b].1)));
            prop_assert_eq!(order(keys.iter().copied()), expected);
        }

        #[test]
        fn sorted_by_f64_is_sort_by_total_cmp(items in prop::collection::vec((awkward_float(), any::<u8>()), 0..80)) {
            let mut expected = items.clone();
            expected.sort_by(|a, b| a.0.total_cmp(&b.0));
            let got = sorted_by_f64(items, |item| item.0);
            // Bit patterns, so that NaNs and signed zeros compare exactly.
            let bits = |v: &[(f64, u8)]| v.iter().map(|(x, tag)| (x.to_bits(), *tag)).collect::<Vec<_>>();
            prop_assert_eq!(bits(&got), bits(&expected));
        }

        #[test]
        fn sorted_by_u64_is_sort_by_key(items in prop::collection::vec((0u64..6, any::<u16>()), 0..80)) {
            let mut expected = items.clone();
            expected.sort_by_key(|item| item.0);
            prop_assert_eq!(sorted_by_u64(items, |item| item.0), expected);
        }
    }

    #[test]
    fn ties_keep_their_original_order() {
        let items = vec![(2.0, 'a'), (1.0, 'b'), (2.0, 'c'), (1.0, 'd'), (-0.0, 'e'), (0.0, 'f')];
        let got: String = sorted_by_f64(items, |item| item.0).into_iter().map(|item| item.1).collect();
        assert_eq!(got, "efbdac");
    }

    #[test]
    fn major_key_comes_before_minor_key() {
        let keys = [(1, -5.0), (0, 3.0), (1, -6.0), (0, f64::NAN), (0, 2.0)];
        assert_eq!(order(keys), vec![4, 1, 3, 2, 0]);
    }

    #[test]
    fn map_from_is_collect() {
        let pairs = [("b", 1), ("a", 2), ("b", 3), ("c", 4), ("a", 5)];
        let collected: std::collections::BTreeMap<&str, i32> = pairs.into_iter().collect();
        assert_eq!(map_from(pairs), collected);
    }

    #[test]
    fn empty_and_single_inputs() {
        assert!(order(std::iter::empty()).is_empty());
        assert_eq!(sorted_by_u64(vec!['x'], |_| 7), vec!['x']);
    }
}
