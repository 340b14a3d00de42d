//! leaklint's runtime half: reading V8 `.heapsnapshot` files, comparing them, and matching
//! growth to static findings (design §5). It knows nothing of swc or of the rules.
//!
//! The crate is empty for now: the heap-snapshot reader, the comparison and `leaklint confirm`
//! arrive with the "runtime checker" issue. It is a workspace member already so that the
//! layout of design §1 holds and its dependencies stay apart from the linter's.
