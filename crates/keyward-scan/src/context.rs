//! What a file's path says about the text in it: whether it is program source (where an
//! unquoted value after `=` is an expression, never a literal) and whether it is
//! documentation, a test or a fixture (where secrets are usually examples, so a finding
//! there is reported one confidence step lower instead of being hidden: a real key
//! pasted into a test is still a leak).

/// File extensions of languages in which a secret can only be written as a quoted
/// literal: `token = FTS5_CORRUPT` or `api_key = settings.key` there is code.
const SOURCE_EXTENSIONS: &[&str] = &[
    "c", "h", "cc", "cpp", "cxx", "hpp", "hh", "hxx", "ino", "m", "mm", "rs", "go", "java", "kt",
    "kts", "scala", "groovy", "gradle", "cs", "fs", "vb", "swift", "dart", "js", "mjs", "cjs",
    "jsx", "ts", "mts", "cts", "tsx", "vue", "svelte", "py", "pyi", "pyx", "rb", "php", "pl", "pm",
    "lua", "zig", "nim", "ex", "exs", "erl", "hrl", "hs", "ml", "mli", "clj", "cljs", "jl", "sol",
    "cr", "elm", "r",
];

/// Directories whose files are documentation, tests, fixtures or examples.
const EXAMPLE_DIRECTORIES: &[&str] = &[
    "test",
    "tests",
    "testing",
    "testdata",
    "test-data",
    "test_data",
    "__tests__",
    "spec",
    "specs",
    "fixtures",
    "fixture",
    "__fixtures__",
    "__snapshots__",
    "__mocks__",
    "mocks",
    "doc",
    "docs",
    "documentation",
    "example",
    "examples",
    "demo",
    "demos",
    "sample",
    "samples",
];

/// File-name endings of templates, snapshots and documents.
const EXAMPLE_SUFFIXES: &[&str] = &[
    ".example",
    ".sample",
    ".template",
    ".tmpl",
    ".dist",
    ".snap",
    ".md",
    ".markdown",
    ".rst",
    ".adoc",
    ".asciidoc",
    ".txt",
];

/// Test-file naming conventions of the common test runners.
const TEST_FILE_SUFFIXES: &[&str] = &[
    "_test.go",
    "_test.py",
    "_tests.py",
    "_test.rb",
    "_spec.rb",
    "_test.rs",
    "_tests.rs",
    "_test.c",
    "_test.cc",
    "_test.cpp",
    "_test.cxx",
    "_tests.cc",
    "_unittest.cc",
    "_unittest.cpp",
    "test.java",
    "tests.java",
    "test.kt",
    "tests.cs",
    "test.cs",
    ".test.js",
    ".test.ts",
    ".test.jsx",
    ".test.tsx",
    ".spec.js",
    ".spec.ts",
    ".spec.jsx",
    ".spec.tsx",
];

/// Whether `relative` is program source, by its extension (the part of an archive
/// member's path after the last `!` counts).
pub(crate) fn is_source_code(relative: &str) -> bool {
    let name = file_name(relative);
    name.rsplit_once('.').is_some_and(|(stem, extension)| {
        !stem.is_empty()
            && SOURCE_EXTENSIONS
                .iter()
                .any(|known| extension.eq_ignore_ascii_case(known))
    })
}

/// Whether `relative` is documentation, a test, a fixture, a template or an example.
pub(crate) fn is_example_context(relative: &str) -> bool {
    let lower = relative.to_ascii_lowercase();
    let name = file_name(&lower);
    lower
        .split(['/', '!'])
        .any(|part| EXAMPLE_DIRECTORIES.contains(&part))
        || EXAMPLE_SUFFIXES
            .iter()
            .any(|suffix| lower.ends_with(suffix))
        || TEST_FILE_SUFFIXES
            .iter()
            .any(|suffix| name.ends_with(suffix))
        || name.starts_with("test_")
        || name.starts_with("readme")
}

fn file_name(relative: &str) -> &str {
    relative.rsplit(['/', '!']).next().unwrap_or(relative)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn program_source_is_recognized_by_extension() {
        for path in [
            "src/fts5.c",
            "lib/config.rb",
            "app/Main.java",
            "a.tar!src/x.py",
        ] {
            assert!(is_source_code(path), "{path}");
        }
        for path in [
            "deploy/.env",
            "config.yaml",
            "settings.toml",
            "run.sh",
            ".rs",
        ] {
            assert!(!is_source_code(path), "{path}");
        }
    }

    #[test]
    fn documentation_tests_and_fixtures_are_example_context() {
        for path in [
            "tests/fixtures/creds.json",
            ".env.example",
            "docs/setup.html",
            "README.md",
            "pkg/client_test.go",
            "crypto/evp/p_kem_test.cc",
            "web/api.spec.ts",
            "tests/test_login.py",
            "vendor.zip!examples/config.yaml",
        ] {
            assert!(is_example_context(path), "{path}");
        }
        for path in [
            "src/config.rs",
            "deploy/.env",
            "contest/main.go",
            "latest/app.js",
        ] {
            assert!(!is_example_context(path), "{path}");
        }
    }
}
