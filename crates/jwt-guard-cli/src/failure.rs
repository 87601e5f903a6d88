//! How a command fails: the exit code and what goes to stderr.

use std::fmt::Display;
use std::process::ExitCode;

use crate::io;

/// A failed command.
pub(crate) enum Failure {
    /// The token was rejected (exit 1): `error: <code>: <message>`, then `note: ` lines.
    Token {
        error: jwt_guard_core::Error,
        notes: Vec<String>,
    },
    /// A verified token refused by a check after verification (exit 1), as a server's scope
    /// guard refuses it: `error: <code>: <message>`, then `note: ` lines.
    Refused {
        code: &'static str,
        message: String,
        notes: Vec<String>,
    },
    /// Usage, configuration, key or file problem (exit 2): `error: <message>`.
    Setup(String),
    /// Standard output went away (a closed pipe): exit quietly.
    StdoutClosed,
}

/// Exit code for a rejected token.
pub(crate) const EXIT_REJECTED: u8 = 1;
/// Exit code for usage, configuration and file problems (clap uses 2 as well).
pub(crate) const EXIT_SETUP: u8 = 2;

impl Failure {
    /// A setup failure with this message.
    pub(crate) fn setup(message: impl Display) -> Failure {
        Failure::Setup(message.to_string())
    }

    /// A core error: token faults exit 1, configuration faults exit 2.
    pub(crate) fn from_core(error: jwt_guard_core::Error, notes: Vec<String>) -> Failure {
        if error.kind().is_token_error() {
            Failure::Token { error, notes }
        } else {
            Failure::Setup(error.to_string())
        }
    }

    /// Prints the message on standard error (escaped: notes quote the token) and returns the
    /// exit code.
    pub(crate) fn report(self) -> ExitCode {
        match self {
            Failure::Token { error, notes } => {
                io::eprint_line(&format!("error: {}: {error}", error.code()));
                for note in notes {
                    io::eprint_line(&format!("note: {note}"));
                }
                ExitCode::from(EXIT_REJECTED)
            }
            Failure::Refused {
                code,
                message,
                notes,
            } => {
                io::eprint_line(&format!("error: {code}: {message}"));
                for note in notes {
                    io::eprint_line(&format!("note: {note}"));
                }
                ExitCode::from(EXIT_REJECTED)
            }
            Failure::Setup(message) => {
                io::eprint_line(&format!("error: {message}"));
                ExitCode::from(EXIT_SETUP)
            }
            Failure::StdoutClosed => ExitCode::from(EXIT_SETUP),
        }
    }
}
