//! Typed indexes into the model's tables: a [`FnId`] cannot be used where a [`ClassId`] (or a
//! plain count) is meant, and a [`Table`] is indexed only by its own kind of id.

use std::marker::PhantomData;

/// Index into [`super::Model::functions`]: one function, arrow, method, constructor or field
/// initialiser of the file, numbered in the order the walk meets them (so the same text gives
/// the same ids, which the project phase relies on). Serialised as the bare number.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct FnId(pub u32);

/// Index into [`super::Model::classes`], numbered in the order the walk meets the classes.
/// Serialised as the bare number.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct ClassId(pub u32);

/// An id that numbers the entries of a [`Table`].
pub trait Id: Copy {
    fn from_index(index: usize) -> Self;
    fn index(self) -> usize;
}

macro_rules! id {
    ($t:ident) => {
        impl Id for $t {
            /// Panics past `u32::MAX` entries, which a 64 MiB file cannot reach.
            fn from_index(index: usize) -> Self {
                $t(u32::try_from(index).expect("fewer than 2^32 entries"))
            }
            fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl $t {
            /// Its position in its table.
            pub fn index(self) -> usize {
                <Self as Id>::index(self)
            }
        }
    };
}
id!(FnId);
id!(ClassId);

/// A table of the model, indexed by its own id.
#[derive(Clone, Debug)]
pub struct Table<I, T> {
    items: Vec<T>,
    id: PhantomData<I>,
}

impl<I: Id, T> Default for Table<I, T> {
    fn default() -> Self {
        Table {
            items: Vec::new(),
            id: PhantomData,
        }
    }
}

impl<I: Id, T> Table<I, T> {
    /// The id the next [`Table::push`] gives.
    pub fn next_id(&self) -> I {
        I::from_index(self.items.len())
    }

    /// Adds an entry and returns its id.
    pub fn push(&mut self, item: T) -> I {
        let id = I::from_index(self.items.len());
        self.items.push(item);
        id
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The entry of `id`, when the table has it (ids from another file's text may not).
    pub fn get(&self, id: I) -> Option<&T> {
        self.items.get(id.index())
    }

    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    /// Every entry with its id, in id order.
    pub fn iter_ids(&self) -> impl DoubleEndedIterator<Item = (I, &T)> + ExactSizeIterator {
        self.items
            .iter()
            .enumerate()
            .map(|(i, t)| (I::from_index(i), t))
    }

    /// Every id, in order.
    pub fn ids(&self) -> impl DoubleEndedIterator<Item = I> + ExactSizeIterator + use<I, T> {
        (0..self.items.len()).map(I::from_index)
    }

    /// The id of the first entry that satisfies `pred`.
    pub fn position(&self, pred: impl FnMut(&T) -> bool) -> Option<I> {
        self.items.iter().position(pred).map(I::from_index)
    }

    /// Does `id` name an entry of this table?
    pub fn contains(&self, id: I) -> bool {
        id.index() < self.items.len()
    }
}

impl<I: Id, T> std::ops::Index<I> for Table<I, T> {
    type Output = T;
    fn index(&self, id: I) -> &T {
        &self.items[id.index()]
    }
}

impl<I: Id, T> std::ops::IndexMut<I> for Table<I, T> {
    fn index_mut(&mut self, id: I) -> &mut T {
        &mut self.items[id.index()]
    }
}

impl<'t, I: Id, T> IntoIterator for &'t Table<I, T> {
    type Item = &'t T;
    type IntoIter = std::slice::Iter<'t, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

/// A value per entry of a table, by the same id (`roles` by [`FnId`]).
#[derive(Clone, Debug)]
pub struct PerId<I, T> {
    items: Vec<T>,
    id: PhantomData<I>,
}

impl<I: Id, T: Clone> PerId<I, T> {
    /// `value` for each of `len` ids.
    pub fn filled(len: usize, value: T) -> Self {
        PerId {
            items: vec![value; len],
            id: PhantomData,
        }
    }
}

impl<I: Id, T> PerId<I, T> {
    pub fn from_vec(items: Vec<T>) -> Self {
        PerId {
            items,
            id: PhantomData,
        }
    }

    pub fn get(&self, id: I) -> Option<&T> {
        self.items.get(id.index())
    }

    pub fn into_vec(self) -> Vec<T> {
        self.items
    }
}

impl<I: Id, T> Default for PerId<I, T> {
    fn default() -> Self {
        PerId::from_vec(Vec::new())
    }
}

impl<I: Id, T> std::ops::Index<I> for PerId<I, T> {
    type Output = T;
    fn index(&self, id: I) -> &T {
        &self.items[id.index()]
    }
}

impl<I: Id, T> std::ops::IndexMut<I> for PerId<I, T> {
    fn index_mut(&mut self, id: I) -> &mut T {
        &mut self.items[id.index()]
    }
}
