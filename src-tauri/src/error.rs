//! The error every command returns to the UI: the library error's stable class and its
//! message, nothing else (no paths to source files, no debug dumps).

use keyward::ErrorCode;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct CommandError {
    pub code: ErrorCode,
    pub message: String,
}

impl CommandError {
    pub fn internal(message: impl Into<String>) -> Self {
        Self {
            code: ErrorCode::Internal,
            message: message.into(),
        }
    }
}

impl From<keyward::Error> for CommandError {
    fn from(error: keyward::Error) -> Self {
        Self {
            code: error.code(),
            message: error.to_string(),
        }
    }
}

impl std::fmt::Display for CommandError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.message)
    }
}

pub type CommandResult<T> = Result<T, CommandError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_cross_to_the_ui_as_code_and_message() {
        let error = CommandError {
            code: ErrorCode::NotFound,
            message: "credential `x` does not exist".into(),
        };
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "not-found", "message": "credential `x` does not exist"}),
            "the UI switches on `code`; its spelling is a contract"
        );
    }
}
