// Linting allocates many small, short-lived AST nodes on several threads at once; mimalloc
// handles that much faster than the system allocator (about a fifth of the run time went to
// glibc malloc/free in a profile on the benchmark corpus).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (its position in `mi_option_t`, the same in mimalloc 2
/// and 3; the Rust bindings name no constant for it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> std::process::ExitCode {
    // By default mimalloc hands freed pages back to the system after 10 ms, and every file's
    // AST then faults fresh zeroed pages in again: a tenth of a corpus run's samples were the
    // kernel clearing pages. A lint run is short and its peak is reached early, so keep them.
    // The language server runs for hours and keeps the default: memory goes back when idle.
    if std::env::args_os().nth(1).is_none_or(|a| a != "lsp") {
        // SAFETY: sets a plain integer option; mimalloc reads it when it next purges.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    }
    leaklint::run(std::env::args_os())
}
