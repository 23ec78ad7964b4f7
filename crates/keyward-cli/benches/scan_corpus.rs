//! Generates the leak-scanner benchmark corpus (`make bench-scan`): about 200 MB of
//! source in several languages, configs, lockfiles, minified bundles and notebooks with
//! embedded images, with fake secrets planted from every rule's sample template and hard
//! negatives (placeholders, truncated and wrong-checksum tokens, UUIDs under id names,
//! git hashes, integrity hashes, base64 images, references to environment variables).
//!
//! `SCAN_CORPUS=DIR` (default `target/scan-corpus`), `SCAN_CORPUS_MB` (default 200).
//! Writes the files under `DIR/files/`, and `DIR/manifest.jsonl` with one line per planted secret: the path, its first and
//! last line and its rule. Nothing here is ever committed; the corpus lives under target/.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use keyward::scan::RuleSet;
use keyward::scan::samples::{Fill, Random, expand};

const PARTS: usize = 10;

struct Planter {
    rules: Vec<(String, String, bool)>,
    random: Random,
    seed: u64,
    manifest: Vec<String>,
}

impl Planter {
    fn secret_lines(&mut self) -> (String, Vec<String>) {
        let (id, sample, _) = self.rules[self.random.below(self.rules.len())].clone();
        self.seed += 1;
        let text = expand(&sample, Fill::Real(self.seed));
        (id, text.lines().map(str::to_owned).collect())
    }

    fn negative_line(&mut self) -> String {
        self.seed += 1;
        let seed = self.seed;
        match self.random.below(10) {
            0..=2 => {
                let (_, sample, _) = self.rules[self.random.below(self.rules.len())].clone();
                // A truncated value under a secret-looking name (`API_TOKEN=abc...`) is
                // still a plausible secret, so only bare token shapes are truncated.
                let bare = !sample.contains('=') && !sample.contains(": ");
                let fill = match self.random.below(3) {
                    1 if bare => Fill::Truncated(seed),
                    2 if sample.contains("{crc}") => Fill::WrongChecksum(seed),
                    _ => Fill::Placeholder,
                };
                // Multi-line samples become one line: their near misses are not blocks.
                expand(&sample, fill).replace('\n', " ")
            }
            3 => format!("request_id = \"{}\"", uuid(&mut self.random)),
            4 => format!("    commit: {}", expand("{hex:40}", Fill::Real(seed))),
            5 => "password = os.environ[\"DB_PASSWORD\"]".to_owned(),
            6 => "aws_access_key_id = AKIAIOSFODNN7EXAMPLE".to_owned(),
            7 => format!(
                "checksum = \"sha256:{}\"",
                expand("{hex:64}", Fill::Real(seed))
            ),
            8 => format!(
                "const apiKey = process.env.API_KEY; // session {}",
                uuid(&mut self.random)
            ),
            _ => format!(
                "token_type = \"bearer\"  # trace {}",
                expand("{hex:32}", Fill::Real(seed))
            ),
        }
    }
}

fn uuid(random: &mut Random) -> String {
    let hex = random.string(b"0123456789abcdef", 32);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

const WORDS: &[&str] = &[
    "account", "buffer", "cache", "client", "config", "count", "data", "entry", "event", "file",
    "handler", "index", "item", "list", "message", "node", "order", "parser", "queue", "record",
    "request", "result", "row", "server", "state", "stream", "table", "user", "value", "worker",
];

fn word(random: &mut Random) -> &'static str {
    WORDS[random.below(WORDS.len())]
}

/// One line of ordinary code or config in `language`.
fn filler(random: &mut Random, language: &str) -> String {
    let (a, b, n) = (word(random), word(random), random.below(1000));
    match (language, random.below(6)) {
        ("py", 0) => format!("def {a}_{b}(self, {b}):"),
        ("py", 1) => format!("    return self.{a}.get('{b}', {n})"),
        ("py", _) => format!("    {a}_{b} = compute_{a}({b}, limit={n})"),
        ("js", 0) => format!("function {a}{n}({b}) {{"),
        ("js", 1) => format!("  const {a} = await fetch{b}({n});"),
        ("js", _) => format!("  if ({a}.{b} > {n}) {{ return {a}; }}"),
        ("go", 0) => format!("func ({a} *{b}) Handle{n}(ctx context.Context) error {{"),
        ("go", _) => format!("\t{a}, err := {b}.Load(ctx, {n})"),
        ("rs", 0) => format!("pub fn {a}_{b}(&self, {b}: usize) -> Result<{a}> {{"),
        ("rs", _) => format!("    let {a} = self.{b}.iter().take({n}).count();"),
        ("java", _) => format!("    private final {a}{b} {a} = new {a}{b}({n});"),
        ("yaml", _) => format!("{a}_{b}: {n}"),
        ("env", _) => format!("{}_{}={n}", a.to_uppercase(), b.to_uppercase()),
        (_, _) => format!("# {a} {b} {n}"),
    }
}

fn write_file(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write corpus file");
}

/// A text file of `lines` lines with a few planted secrets and hard negatives.
fn text_file(
    planter: &mut Planter,
    root: &Path,
    relative: &str,
    language: &str,
    lines: usize,
) -> usize {
    let mut out = String::new();
    let mut line = 0usize;
    let mut random = Random::new(planter.random.next_u64());
    while line < lines {
        let roll = random.below(1000);
        if roll < 2 {
            let (rule, secret) = planter.secret_lines();
            let first = line + 1;
            for text in &secret {
                out.push_str(text);
                out.push('\n');
                line += 1;
            }
            planter
                .manifest
                .push(format!("{{\"path\":\"{relative}\",\"line_start\":{first},\"line_end\":{line},\"rule\":\"{rule}\"}}"));
        } else if roll < 6 {
            out.push_str(&planter.negative_line());
            out.push('\n');
            line += 1;
        } else {
            out.push_str(&filler(&mut random, language));
            out.push('\n');
            line += 1;
        }
    }
    write_file(&root.join(relative), &out);
    out.len()
}

fn lockfile(random: &mut Random, root: &Path, relative: &str, packages: usize) -> usize {
    let mut out =
        String::from("{\n  \"name\": \"app\",\n  \"lockfileVersion\": 3,\n  \"packages\": {\n");
    for index in 0..packages {
        let name = format!("{}-{}{index}", word(random), word(random));
        let integrity = random.string(
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
            86,
        );
        let _ = write!(
            out,
            "    \"node_modules/{name}\": {{\n      \"version\": \"1.{index}.0\",\n      \"resolved\": \"https://registry.npmjs.org/{name}/-/{name}-1.{index}.0.tgz\",\n      \"integrity\": \"sha512-{integrity}==\"\n    }},\n"
        );
    }
    out.push_str("    \"\": {}\n  }\n}\n");
    write_file(&root.join(relative), &out);
    out.len()
}

fn minified(planter: &mut Planter, root: &Path, relative: &str, bytes: usize) -> usize {
    let mut random = Random::new(planter.random.next_u64());
    let mut out = String::with_capacity(bytes + 1024);
    let mut planted = false;
    while out.len() < bytes {
        let (a, b) = (word(&mut random), word(&mut random));
        match random.below(4) {
            0 => {
                let _ = write!(
                    out,
                    "var {a}{b}=\"{}\";",
                    random.string(b"0123456789abcdef", 32)
                );
            }
            1 => {
                let _ = write!(
                    out,
                    "function {a}(e,t){{return e.{b}(t)||{}}}",
                    random.below(999)
                );
            }
            _ => {
                let _ = write!(out, "{a}.{b}=function(n){{return n*{}}};", random.below(99));
            }
        }
        if !planted && out.len() > bytes / 2 {
            planted = true;
            let (rule, secret) = planter.secret_lines();
            let generic = planter
                .rules
                .iter()
                .any(|(id, _, generic)| id == &rule && *generic);
            if secret.len() == 1 && !generic && !secret[0].contains('"') {
                let _ = write!(out, "var k=\"{}\";", secret[0]);
                planter
                    .manifest
                    .push(format!("{{\"path\":\"{relative}\",\"line_start\":1,\"line_end\":1,\"rule\":\"{rule}\"}}"));
            }
        }
    }
    out.push('\n');
    write_file(&root.join(relative), &out);
    out.len()
}

fn notebook(random: &mut Random, root: &Path, relative: &str, image_bytes: usize) -> usize {
    let image = format!(
        "iVBORw0KGgo{}",
        random.string(
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
            image_bytes
        )
    );
    let out = format!(
        "{{\n \"cells\": [\n  {{\n   \"cell_type\": \"code\",\n   \"source\": [\"import pandas as pd\\n\", \"df = pd.read_csv('{a}.csv')\"],\n   \"outputs\": [\n    {{\n     \"data\": {{\n      \"image/png\": \"{image}\",\n      \"text/plain\": [\"<Figure size 640x480>\"]\n     }},\n     \"output_type\": \"display_data\"\n    }}\n   ]\n  }}\n ],\n \"nbformat\": 4\n}}\n",
        a = word(random)
    );
    write_file(&root.join(relative), &out);
    out.len()
}

/// `keywords.txt`: every rule's keywords, sorted and distinct, one a line (ripgrep's
/// `-f` file in benches/scan_peers.py).
fn write_keywords(root: &Path, rules: &RuleSet) {
    let mut keywords: Vec<String> = rules
        .rules
        .iter()
        .flat_map(|rule| rule.spec.keywords.clone())
        .collect();
    keywords.sort();
    keywords.dedup();
    std::fs::write(root.join("keywords.txt"), keywords.join("\n") + "\n").expect("keywords");
}

fn main() {
    let root = PathBuf::from(std::env::var("SCAN_CORPUS").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/scan-corpus").into()
    }));
    let megabytes: usize = std::env::var("SCAN_CORPUS_MB")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(200);
    let rules = RuleSet::builtin().expect("built-in rules");
    let stamp = root.join("corpus-size");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(&megabytes.to_string()) {
        // The keywords follow the rules even when the corpus is kept: ripgrep searches
        // them on the real tree too.
        write_keywords(&root, &rules);
        println!("corpus at {} is current ({megabytes} MB)", root.display());
        return;
    }
    let _ = std::fs::remove_dir_all(&root);
    let mut planter = Planter {
        rules: rules
            .rules
            .iter()
            .map(|rule| {
                (
                    rule.id().to_owned(),
                    rule.spec.sample.clone().expect("sample"),
                    rule.spec.generic,
                )
            })
            .collect(),
        random: Random::new(20_261_122),
        seed: 1_000_000,
        manifest: Vec::new(),
    };
    // The scanned tree; the manifest and keyword list sit next to it, not in it.
    let files = root.join("files");
    let per_part = megabytes * 1024 * 1024 / PARTS;
    let mut total = 0usize;
    for part in 0..PARTS {
        let base = format!("part-{part:02}");
        let part_root = files.join(&base);
        let mut written = 0usize;
        let mut index = 0usize;
        while written < per_part {
            index += 1;
            let roll = planter.random.below(100);
            written += match roll {
                0..=54 => {
                    let language = ["py", "js", "go", "rs", "java"][index % 5];
                    let lines = 200 + planter.random.below(1500);
                    let path = format!(
                        "{base}/src/m{index}/{}.{language}",
                        word(&mut planter.random)
                    );
                    text_file(&mut planter, &files, &path, language, lines)
                }
                55..=69 => {
                    let (language, name) = [
                        ("yaml", "values.yaml"),
                        ("env", "app.env"),
                        ("toml", "settings.toml"),
                    ][index % 3];
                    let lines = 40 + planter.random.below(200);
                    text_file(
                        &mut planter,
                        &files,
                        &format!("{base}/config/c{index}/{name}"),
                        language,
                        lines,
                    )
                }
                70..=82 => {
                    let name = ["package-lock.json", "deps.lock", "npm-shrinkwrap.json"][index % 3];
                    let packages = 200 + planter.random.below(800);
                    lockfile(
                        &mut planter.random,
                        &files,
                        &format!("{base}/lock/l{index}/{name}"),
                        packages,
                    )
                }
                83..=92 => {
                    let size = 300_000 + planter.random.below(1_200_000);
                    minified(
                        &mut planter,
                        &files,
                        &format!("{base}/dist/bundle{index}.min.js"),
                        size,
                    )
                }
                _ => {
                    let size = 50_000 + planter.random.below(300_000);
                    notebook(
                        &mut planter.random,
                        &files,
                        &format!("{base}/notebooks/n{index}.ipynb"),
                        size,
                    )
                }
            };
        }
        let _ = std::fs::create_dir_all(&part_root);
        total += written;
    }
    let mut manifest = std::fs::File::create(root.join("manifest.jsonl")).expect("manifest");
    for line in &planter.manifest {
        writeln!(manifest, "{line}").expect("write manifest");
    }
    write_keywords(&root, &rules);
    std::fs::write(&stamp, megabytes.to_string()).expect("stamp");
    println!(
        "corpus at {}: {:.1} MB, {} planted secrets",
        root.display(),
        total as f64 / 1048576.0,
        planter.manifest.len()
    );
}
