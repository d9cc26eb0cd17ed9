use std::process::ExitCode;

/// A tree lint builds and drops millions of small values on every core: mimalloc's per-thread
/// free lists cost a fifth of the CPU time glibc's allocator does (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // A panic is a bug: say so in one line, without a stack trace, and exit 2.
    std::panic::set_hook(Box::new(|info| {
        // The YAML reader catches its library's panics and reports them as findings.
        if acp_check::yaml::in_yaml_library() {
            return;
        }
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("acp-check: internal error{at}; this is a bug, please report it");
    }));
    std::panic::catch_unwind(|| acp_check::cli::run(std::env::args_os())).unwrap_or(ExitCode::from(2))
}
