fn main() -> std::process::ExitCode {
    leaklint::run(std::env::args_os())
}
