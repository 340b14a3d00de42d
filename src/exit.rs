//! Exit statuses, as ESLint: 0 clean, 1 problems, 2 usage/configuration/I-O failure.

use std::process::ExitCode;

/// How a run that completed ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// No error-severity problem, and warnings within `--max-warnings`.
    Clean,
    /// Error-severity problems, a file that does not parse, or too many warnings.
    Problems,
    /// The report was produced, but something could not be read (exit status 2).
    IoTrouble,
}

/// Why a run could not complete: exit status 2 with this message on stderr.
#[derive(Debug)]
pub enum Failure {
    /// Bad arguments: unknown rule id, `init` over an existing file, ...
    Usage(String),
    /// A configuration file that cannot be used.
    Config(String),
    /// Reading or writing failed.
    Io(String),
    /// Standard output is closed (`leaklint | head`): nothing more to say to anyone.
    BrokenPipe,
}

impl Failure {
    pub fn stdout(e: std::io::Error) -> Failure {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            Failure::BrokenPipe
        } else {
            Failure::Io(format!("cannot write the report: {e}"))
        }
    }

    pub fn message(&self) -> Option<&str> {
        match self {
            Failure::Usage(m) | Failure::Config(m) | Failure::Io(m) => Some(m),
            Failure::BrokenPipe => None,
        }
    }
}

impl Exit {
    /// The process exit status.
    pub fn code(self) -> u8 {
        match self {
            Exit::Clean => 0,
            Exit::Problems => 1,
            Exit::IoTrouble => 2,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit.code())
    }
}
