//! One heap snapshot in memory, in columns.
//!
//! Node fields are kept as `u32` as DevTools does (ids, sizes and string indexes are checked
//! for overflow by the reader, never wrapped). Only the fields leaklint uses are kept: type,
//! name, id, self size and edge count; `trace_node_id` and `detachedness` are dropped. Edges keep
//! their type, name-or-index and target *ordinal* (the file stores `ordinal × node field
//! count`). A *light* snapshot (baseline and final of a three-way diff) has no edges at all.

/// What kind of heap object a node is (V8's `node_types`, in our own order so that the code
/// does not depend on the header's order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum NodeKind {
    Hidden = 0,
    Array,
    String,
    Object,
    Code,
    Closure,
    RegExp,
    Number,
    Native,
    Synthetic,
    ConsString,
    SlicedString,
    Symbol,
    BigInt,
    ObjectShape,
    Wasm,
    /// A type name this reader does not know (a newer V8): shown as `(name)`.
    Other,
}

impl NodeKind {
    pub fn from_name(name: &str) -> NodeKind {
        match name {
            "hidden" => NodeKind::Hidden,
            "array" => NodeKind::Array,
            "string" => NodeKind::String,
            "object" => NodeKind::Object,
            "code" => NodeKind::Code,
            "closure" => NodeKind::Closure,
            "regexp" => NodeKind::RegExp,
            "number" => NodeKind::Number,
            "native" => NodeKind::Native,
            "synthetic" => NodeKind::Synthetic,
            "concatenated string" => NodeKind::ConsString,
            "sliced string" => NodeKind::SlicedString,
            "symbol" => NodeKind::Symbol,
            "bigint" => NodeKind::BigInt,
            "object shape" => NodeKind::ObjectShape,
            "wasm object" => NodeKind::Wasm,
            _ => NodeKind::Other,
        }
    }

    pub fn from_u8(v: u8) -> NodeKind {
        const ALL: [NodeKind; 17] = [
            NodeKind::Hidden,
            NodeKind::Array,
            NodeKind::String,
            NodeKind::Object,
            NodeKind::Code,
            NodeKind::Closure,
            NodeKind::RegExp,
            NodeKind::Number,
            NodeKind::Native,
            NodeKind::Synthetic,
            NodeKind::ConsString,
            NodeKind::SlicedString,
            NodeKind::Symbol,
            NodeKind::BigInt,
            NodeKind::ObjectShape,
            NodeKind::Wasm,
            NodeKind::Other,
        ];
        ALL.get(usize::from(v)).copied().unwrap_or(NodeKind::Other)
    }

    pub fn is_string(self) -> bool {
        matches!(
            self,
            NodeKind::String | NodeKind::ConsString | NodeKind::SlicedString
        )
    }
}

/// What kind of reference an edge is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum EdgeKind {
    /// A context-allocated variable: the name is the variable's.
    Context = 0,
    /// An array element: the name is an index.
    Element,
    Property,
    Internal,
    /// The name is an index.
    Hidden,
    Shortcut,
    Weak,
    Other,
}

impl EdgeKind {
    pub fn from_name(name: &str) -> EdgeKind {
        match name {
            "context" => EdgeKind::Context,
            "element" => EdgeKind::Element,
            "property" => EdgeKind::Property,
            "internal" => EdgeKind::Internal,
            "hidden" => EdgeKind::Hidden,
            "shortcut" => EdgeKind::Shortcut,
            "weak" => EdgeKind::Weak,
            _ => EdgeKind::Other,
        }
    }

    pub fn from_u8(v: u8) -> EdgeKind {
        const ALL: [EdgeKind; 8] = [
            EdgeKind::Context,
            EdgeKind::Element,
            EdgeKind::Property,
            EdgeKind::Internal,
            EdgeKind::Hidden,
            EdgeKind::Shortcut,
            EdgeKind::Weak,
            EdgeKind::Other,
        ];
        ALL.get(usize::from(v)).copied().unwrap_or(EdgeKind::Other)
    }

    /// Element and hidden edges are named by a number; the others by a string index.
    pub fn named_by_string(self) -> bool {
        !matches!(self, EdgeKind::Element | EdgeKind::Hidden)
    }
}

/// The string table: every string decoded once, stored end to end.
#[derive(Debug, Default)]
pub struct Strings {
    data: String,
    ends: Vec<usize>,
}

impl Strings {
    pub fn push(&mut self, s: &str) {
        self.data.push_str(s);
        self.ends.push(self.data.len());
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The string at `index`, or "" when out of range (the reader checks every index it
    /// stores, so that only happens for numbers that are not string indexes).
    pub fn get(&self, index: u32) -> &str {
        let i = index as usize;
        if i >= self.ends.len() {
            return "";
        }
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.data[start..self.ends[i]]
    }

    pub fn bytes(&self) -> usize {
        self.data.len() + self.ends.len() * std::mem::size_of::<usize>()
    }
}

/// A node's position in a snapshot's node columns (`node_kind`, `node_name`, `node_id`,
/// `self_size`, ...), from 0: its *ordinal*. The file's `nodes` array holds several numbers per
/// node, and edges point at `ordinal × node field count`; the reader divides that out. Not V8's
/// node *id* ([`Snapshot::id`]), which names one object across snapshots: an index is only
/// meaningful within its own snapshot.
///
/// Node and edge positions, string-table indexes and counts are all `u32` in the file; each has
/// its own type here ([`NodeIndex`], [`EdgeIndex`], plain `u32` for strings) so that one cannot
/// be passed for another. The conversions to and from column positions are these methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct NodeIndex(pub u32);

impl NodeIndex {
    /// The synthetic root, first in every snapshot.
    pub const ROOT: NodeIndex = NodeIndex(0);
    /// No node (a dominator of the root or of an unreachable node).
    pub const NONE: NodeIndex = NodeIndex(u32::MAX);

    /// As an index into the node columns.
    #[inline]
    pub fn ix(self) -> usize {
        self.0 as usize
    }

    /// The node at position `i` of the node columns. The reader refuses snapshots with more
    /// nodes than a `u32` counts, so every position of a read snapshot fits.
    #[inline]
    pub fn at(i: usize) -> NodeIndex {
        debug_assert!(u32::try_from(i).is_ok(), "node position {i} past u32");
        NodeIndex(i as u32)
    }
}

/// An edge's position in a snapshot's edge columns (`edge_kind`, `edge_name`, `edge_to`), from
/// 0: the file's `edges` array holds several numbers per edge, this counts edges.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct EdgeIndex(pub u32);

impl EdgeIndex {
    /// No edge (how the root and unreachable nodes are reached on a shortest path).
    pub const NONE: EdgeIndex = EdgeIndex(u32::MAX);

    /// As an index into the edge columns.
    #[inline]
    pub fn ix(self) -> usize {
        self.0 as usize
    }

    /// The edge at position `i` of the edge columns (which the reader keeps within `u32`).
    #[inline]
    pub fn at(i: usize) -> EdgeIndex {
        debug_assert!(u32::try_from(i).is_ok(), "edge position {i} past u32");
        EdgeIndex(i as u32)
    }
}

/// A source position recorded for a node (closures, generators, instances of user classes).
/// V8 writes 0-based lines and columns; they are kept 0-based here and shown 1-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location {
    pub node: NodeIndex,
    pub script: u32,
    pub line: u32,
    pub column: u32,
}

/// A parsed snapshot.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// The file as named on the command line.
    pub path: String,
    pub node_kind: Vec<u8>,
    pub node_name: Vec<u32>,
    pub node_id: Vec<u32>,
    pub self_size: Vec<u32>,
    pub edge_count: Vec<u32>,
    /// Prefix sums of `edge_count` (node count + 1 entries); filled for full snapshots.
    pub first_edge: Vec<u32>,
    pub edge_kind: Vec<u8>,
    pub edge_name: Vec<u32>,
    /// The node each edge points at.
    pub edge_to: Vec<NodeIndex>,
    pub strings: Strings,
    /// Sorted by node ordinal.
    pub locations: Vec<Location>,
    /// False for a light snapshot (no edges were kept).
    pub has_edges: bool,
    /// Size of the file read, in bytes (compressed size for `.gz`).
    pub file_bytes: u64,
}

impl Snapshot {
    pub fn node_count(&self) -> usize {
        self.node_id.len()
    }

    pub fn edge_total(&self) -> usize {
        self.edge_to.len()
    }

    /// Every node, in column order (the root first).
    pub fn nodes(&self) -> impl DoubleEndedIterator<Item = NodeIndex> + ExactSizeIterator + use<> {
        (0..self.node_count() as u32).map(NodeIndex)
    }

    pub fn kind(&self, node: NodeIndex) -> NodeKind {
        NodeKind::from_u8(self.node_kind[node.ix()])
    }

    pub fn name(&self, node: NodeIndex) -> &str {
        self.strings.get(self.node_name[node.ix()])
    }

    pub fn id(&self, node: NodeIndex) -> u32 {
        self.node_id[node.ix()]
    }

    pub fn size(&self, node: NodeIndex) -> u32 {
        self.self_size[node.ix()]
    }

    /// The edges of `node`, in the order the snapshot lists them.
    pub fn edges(
        &self,
        node: NodeIndex,
    ) -> impl DoubleEndedIterator<Item = EdgeIndex> + ExactSizeIterator + Clone + use<> {
        let n = node.ix();
        (self.first_edge[n]..self.first_edge[n + 1]).map(EdgeIndex)
    }

    pub fn edge_kind(&self, edge: EdgeIndex) -> EdgeKind {
        EdgeKind::from_u8(self.edge_kind[edge.ix()])
    }

    /// The node an edge points at.
    pub fn edge_target(&self, edge: EdgeIndex) -> NodeIndex {
        self.edge_to[edge.ix()]
    }

    /// The edge's name: a property or variable name, or the index for element/hidden edges.
    pub fn edge_name(&self, edge: EdgeIndex) -> std::borrow::Cow<'_, str> {
        let kind = self.edge_kind(edge);
        if kind.named_by_string() {
            std::borrow::Cow::Borrowed(self.strings.get(self.edge_name[edge.ix()]))
        } else {
            std::borrow::Cow::Owned(self.edge_name[edge.ix()].to_string())
        }
    }

    /// The string name of an edge when it has one (not element or hidden edges).
    pub fn edge_str(&self, edge: EdgeIndex) -> Option<&str> {
        self.edge_kind(edge)
            .named_by_string()
            .then(|| self.strings.get(self.edge_name[edge.ix()]))
    }

    /// The first edge of `node` of this kind and name, and its target.
    pub fn child(&self, node: NodeIndex, kind: EdgeKind, name: &str) -> Option<NodeIndex> {
        self.edges(node)
            .find(|&e| self.edge_kind(e) == kind && self.edge_str(e) == Some(name))
            .map(|e| self.edge_target(e))
    }

    /// The first edge of `node` with this name, whatever its kind (property, internal, ...).
    pub fn child_named(&self, node: NodeIndex, name: &str) -> Option<NodeIndex> {
        self.edges(node)
            .find(|&e| self.edge_str(e) == Some(name) && self.edge_kind(e) != EdgeKind::Weak)
            .map(|e| self.edge_target(e))
    }

    /// The recorded location of `node`, if any.
    pub fn location(&self, node: NodeIndex) -> Option<Location> {
        self.locations
            .binary_search_by_key(&node, |l| l.node)
            .ok()
            .map(|i| self.locations[i])
    }

    /// The class name of a node, in the convention of the DevTools of the Node 20 era (see the
    /// crate docs): `(closure)`, `(string)`, `(array)`, `(system)`, `(compiled code)`, and the
    /// constructor name for objects and native nodes.
    pub fn class_name(&self, node: NodeIndex) -> std::borrow::Cow<'_, str> {
        use std::borrow::Cow;
        match self.kind(node) {
            NodeKind::Object | NodeKind::Native => {
                let name = self.name(node);
                if name.is_empty() {
                    Cow::Borrowed("(anonymous object)")
                } else {
                    Cow::Borrowed(name)
                }
            }
            NodeKind::Hidden => Cow::Borrowed("(system)"),
            NodeKind::Code => Cow::Borrowed("(compiled code)"),
            NodeKind::Closure => Cow::Borrowed("(closure)"),
            NodeKind::RegExp => Cow::Borrowed("(regexp)"),
            NodeKind::Array => Cow::Borrowed("(array)"),
            NodeKind::String => Cow::Borrowed("(string)"),
            NodeKind::ConsString => Cow::Borrowed("(concatenated string)"),
            NodeKind::SlicedString => Cow::Borrowed("(sliced string)"),
            NodeKind::Number => Cow::Borrowed("(number)"),
            NodeKind::Synthetic => Cow::Borrowed("(synthetic)"),
            NodeKind::Symbol => Cow::Borrowed("(symbol)"),
            NodeKind::BigInt => Cow::Borrowed("(bigint)"),
            NodeKind::ObjectShape => Cow::Borrowed("(object shape)"),
            NodeKind::Wasm => Cow::Borrowed("(wasm object)"),
            NodeKind::Other => Cow::Borrowed("(other)"),
        }
    }

    /// Approximate memory held by this structure, for `LEAKLINT_TIMINGS`.
    pub fn heap_bytes(&self) -> usize {
        self.node_kind.len()
            + 4 * (self.node_name.len()
                + self.node_id.len()
                + self.self_size.len()
                + self.edge_count.len()
                + self.first_edge.len())
            + self.edge_kind.len()
            + 4 * (self.edge_name.len() + self.edge_to.len())
            + self.strings.bytes()
            + 16 * self.locations.len()
    }
}
