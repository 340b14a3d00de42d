//! The per-file semantic model (design §2). Built once per file in one pass over the tree.

use crate::Knowledge;
use crate::parse::Parsed;

pub struct Model<'a> {
    pub src: &'a str,
    pub knowledge: &'a Knowledge,
}

impl<'a> Model<'a> {
    pub fn build(_parsed: &'a Parsed, src: &'a str, knowledge: &'a Knowledge) -> Model<'a> {
        Model { src, knowledge }
    }
}
