#!/usr/bin/env python3
"""Runs the leak scanner and its peers side by side on the generated corpus and on a
real source tree.

Usage: scan_peers.py CORPUS_DIR KEYWARD_BINARY [REAL_TREE]
       scan_peers.py --sample REAL_TREE KEYWARD_BINARY [COUNT]

Reports, per tool: wall time and throughput (page-cached: the corpus is read once
before the first run), peak RSS (GNU time), and precision / recall / F1 against the
planted secrets in CORPUS_DIR/manifest.jsonl. A finding counts as a true positive when
it lands on a line of a planted secret; every other reported line is a false positive.
ripgrep searches for the same rules' keywords (the speed ceiling; no accuracy figures).
Peers are run when installed (PATH or $SCAN_PEERS_BIN): kingfisher on the whole corpus,
detect-secrets and CredSweeper, which are two orders of magnitude slower, on one tenth
of it (part-00), next to Keyward on the same tenth (detect-secrets on that tenth's source
and config files only).

On REAL_TREE (cargo's registry sources in `make bench-scan`), page-cached as well, Keyward,
ripgrep on the same keywords and kingfisher are timed side by side (best of two runs
each); kingfisher runs without validation, and in a network namespace of its own where
`unshare` allows one. There is no ground truth there, so a seeded sample of Keyward's
findings is looked up in benches/real-tree-verdicts.toml, hand verdicts keyed by crate
directory (with version), path, line and rule; the precision over the judged ones is
printed, with the unjudged ones for a maintainer to judge. `--sample` prints the first
COUNT (default 100) entries of that sample, with their verdicts and source lines.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import Counter, defaultdict, namedtuple
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Installed by `make bench-scan` (kingfisher always, ripgrep when rg is not on PATH).
BENCH_VENV_BIN = HERE / "out" / "scan-venv" / "bin"
VERDICTS = HERE / "real-tree-verdicts.toml"
SAMPLE_SEED = "keyward-real-tree-1"
SAMPLE_SIZE = 50
RIPGREP = "ripgrep (same keywords)"
SAME_LIMIT = "keyward --max-file-size 256 MiB"
# One tool's row on the real tree.
Run = namedtuple("Run", "tool threads seconds rss findings cpu")


def find_tool(name):
    for directory in (os.environ.get("SCAN_PEERS_BIN"), BENCH_VENV_BIN):
        if directory and (Path(directory) / name).exists():
            return str(Path(directory) / name)
    return shutil.which(name)


def offline(command):
    """command in a network namespace of its own (no network but a loopback) when unshare allows it."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-rn", "true"], stderr=subprocess.DEVNULL).returncode == 0:
        return [unshare, "-rn"] + command
    return command


def page_cache(root):
    subprocess.run(["find", str(root), "-type", "f", "-exec", "cat", "{}", "+"], stdout=subprocess.DEVNULL, check=True)


def best_of(runs, command, stdout_path=None):
    """The fastest of runs: (seconds, peak_rss_mb, stdout_text, cpu_seconds)."""
    return min((timed(command, stdout_path) for _ in range(runs)), key=lambda run: run[0])


def measure(command, stdout_path=None):
    """Runs command under GNU time; returns (seconds, peak_rss_mb, stdout_text)."""
    return timed(command, stdout_path)[:3]


def timed(command, stdout_path=None):
    """measure's figures and the CPU seconds (user + system) of the command."""
    with tempfile.NamedTemporaryFile(mode="r", suffix=".time") as timing:
        out = open(stdout_path, "w") if stdout_path else subprocess.PIPE
        started = time.perf_counter()
        process = subprocess.run(
            ["/usr/bin/time", "-f", "%M %U %S", "-o", timing.name] + command,
            stdout=out,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        elapsed = time.perf_counter() - started
        if stdout_path:
            out.close()
            text = Path(stdout_path).read_text(errors="replace")
        else:
            text = process.stdout
        # GNU time may write "Command exited with non-zero status N" first.
        lines = [line.split() for line in Path(timing.name).read_text().splitlines()
                 if re.fullmatch(r"\d+ [\d.]+ [\d.]+", line.strip())]
        rss_mb = int(lines[-1][0]) / 1024 if lines else float("nan")
        cpu = float(lines[-1][1]) + float(lines[-1][2]) if lines else float("nan")
        return elapsed, rss_mb, text, cpu


def corpus_bytes(root):
    return sum(path.stat().st_size for path in root.rglob("*") if path.is_file())


def load_manifest(path, prefix=""):
    planted = defaultdict(list)
    count = 0
    for line in path.read_text().splitlines():
        entry = json.loads(line)
        if not entry["path"].startswith(prefix):
            continue
        planted[entry["path"]].append((entry["line_start"], entry["line_end"], entry["rule"]))
        count += 1
    return planted, count


def score(found, planted, total):
    """found: set of (relative path, line)."""
    true_lines = 0
    hit = set()
    for path, line in found:
        match = next(
            ((start, end) for start, end, _ in planted.get(path, []) if start <= line <= end),
            None,
        )
        if match:
            true_lines += 1
            hit.add((path, match))
    precision = true_lines / len(found) if found else 0.0
    recall = len(hit) / total if total else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, len(found) - true_lines, total - len(hit)


def relative(path, root):
    path = str(path)
    for base in (str(root.resolve()) + "/", str(root) + "/"):
        if path.startswith(base):
            return path[len(base):]
    return path.lstrip("./")


def keyward_found(text, scanned, root):
    return {(relative(Path(scanned) / f["path"], root), f["line"]) for f in json.loads(text)["findings"]}


def kingfisher_found(text, root):
    found = set()
    document = json.loads(text.splitlines()[0]) if text.strip() else {"findings": []}
    for finding in document.get("findings", []):
        inner = finding.get("finding", finding)
        path = inner.get("path") or finding.get("path")
        line = inner.get("line") or inner.get("line_num") or finding.get("line")
        if path and line:
            found.add((relative(path, root), int(line)))
    return found


def detect_secrets_found(text, root):
    found = set()
    for path, results in json.loads(text).get("results", {}).items():
        for result in results:
            found.add((relative(path, root), int(result["line_number"])))
    return found


def credsweeper_found(path, root):
    found = set()
    for candidate in json.loads(Path(path).read_text() or "[]"):
        for data in candidate.get("line_data_list", []):
            found.add((relative(data["path"], root), int(data["line_num"])))
    return found


def planted_corpus(corpus, keyward):
    files = corpus / "files"
    subset = files / "part-00"
    planted, total = load_manifest(corpus / "manifest.jsonl")
    planted_subset, total_subset = load_manifest(corpus / "manifest.jsonl", "part-00/")
    size = corpus_bytes(files)
    size_subset = corpus_bytes(subset)
    page_cache(files)
    rows = []

    def row(tool, scope, megabytes, seconds, rss, accuracy=None):
        figures = {"tool": tool, "scope": scope, "mb_s": megabytes / seconds, "seconds": seconds, "rss": rss}
        if accuracy:
            figures.update(zip(["precision", "recall", "f1", "fp", "fn"], accuracy))
        rows.append(figures)
        print(json.dumps(figures), file=sys.stderr)

    megabytes = size / 1048576
    subset_mb = size_subset / 1048576
    # Keyward: best of two warm runs.
    best = None
    for _ in range(2):
        seconds, rss, text = measure([keyward, "scan", "--no-vault", "--format", "json", str(files)])
        if best is None or seconds < best[0]:
            best = (seconds, rss, text)
    seconds, rss, text = best
    row("keyward", "full", megabytes, seconds, rss, score(keyward_found(text, files, files), planted, total))
    rg = find_tool("rg")
    if rg:
        best = min(
            (measure([rg, "--hidden", "--no-ignore", "-i", "-F", "-c", "-f", str(corpus / "keywords.txt"), str(files)])
             for _ in range(2)),
            key=lambda run: run[0],
        )
        row("ripgrep (same keywords)", "full", megabytes, best[0], best[1])
    kingfisher = find_tool("kingfisher")
    if kingfisher:
        seconds, rss, text = measure(offline(kingfisher_command(kingfisher, files)))
        row("kingfisher", "full", megabytes, seconds, rss, score(kingfisher_found(text, files), planted, total))
    seconds, rss, text = measure([keyward, "scan", "--no-vault", "--format", "json", str(subset)])
    row("keyward", "part-00", subset_mb, seconds, rss, score(keyward_found(text, subset, files), planted_subset, total_subset))
    detect_secrets = find_tool("detect-secrets")
    if detect_secrets:
        # detect-secrets only scans below its working directory, and on minified bundles,
        # notebooks and lockfiles it did not finish 20 MB in 25 minutes: it gets the
        # source and config files of part-00.
        here = os.getcwd()
        os.chdir(files)
        prefixes = ("part-00/src/", "part-00/config/")
        try:
            seconds, rss, text = measure([detect_secrets, "scan", "--all-files"] + [p.rstrip("/") for p in prefixes])
        finally:
            os.chdir(here)
        planted_text, total_text = load_manifest(corpus / "manifest.jsonl", prefixes)
        text_mb = sum(corpus_bytes(files / p) for p in prefixes) / 1048576
        row("detect-secrets", "part-00 src+config", text_mb, seconds, rss,
            score(detect_secrets_found(text, files), planted_text, total_text))
    credsweeper = find_tool("credsweeper")
    if credsweeper:
        with tempfile.TemporaryDirectory() as scratch:
            report = Path(scratch) / "report.json"
            seconds, rss, _ = measure([credsweeper, "--path", str(subset), "--jobs", "2", "--save-json", str(report)])
            found = credsweeper_found(report, files) if report.exists() else set()
            row("CredSweeper", "part-00", subset_mb, seconds, rss, score(found, planted_subset, total_subset))

    print(f"Corpus: {megabytes:.0f} MB in {sum(1 for p in files.rglob('*') if p.is_file())} files, "
          f"{total} planted secrets (part-00: {subset_mb:.0f} MB, {total_subset} planted).\n")
    print("| tool | scope | MB/s | wall s | peak RSS MB | precision | recall | F1 | FP | FN |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        accuracy = (
            f"{r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | {r['fp']} | {r['fn']}"
            if "precision" in r else "— | — | — | — | —"
        )
        print(f"| {r['tool']} | {r['scope']} | {r['mb_s']:.1f} | {r['seconds']:.2f} | {r['rss']:.0f} | {accuracy} |")


def kingfisher_command(kingfisher, root):
    # Validation off (no credential leaves the machine), no update check, both cores.
    return [kingfisher, "scan", str(root), "--format", "json", "--no-validate", "--no-update-check", "-j", "2"]


def kingfisher_count(path):
    text = Path(path).read_text(errors="replace")
    return len(json.loads(text.splitlines()[0]).get("findings", [])) if text.strip() else 0


def rg_count(text):
    """Matching lines from `rg -c` (path:count per file)."""
    return sum(int(line.rsplit(":", 1)[1]) for line in text.splitlines() if ":" in line)


def keyward_scan(keyward, tree, output, runs=2, extra=()):
    """(seconds, peak MB, findings, CPU seconds) for the best of runs, stdout kept in output."""
    command = [keyward, "scan", "--no-vault", "--format", "json", *extra, str(tree)]
    seconds, rss, text, cpu = best_of(runs, command, output)
    findings = json.loads(text)["findings"]
    for finding in findings:
        finding["absolute"] = str(Path(tree) / finding["path"])
    return seconds, rss, findings, cpu


def finding_key(finding, tree):
    """crate-dir/path:line:rule, the crate directory with its version (Cargo.lock pins it)."""
    parts = Path(relative(finding["absolute"], Path(tree))).parts
    crate_path = "/".join(parts[1:]) if len(parts) > 2 else "/".join(parts)
    return f"{crate_path}:{finding['line']}:{finding['rule']}"


def seeded_sample(findings, tree):
    """Every distinct finding key in the seeded order: sha256 of the seed and the key."""
    by_key = {}
    for finding in findings:
        by_key.setdefault(finding_key(finding, tree), finding)
    order = sorted(by_key, key=lambda key: hashlib.sha256((SAMPLE_SEED + key).encode()).hexdigest())
    return [(key, by_key[key]) for key in order]


def load_verdicts(path=VERDICTS):
    if not path.exists():
        return {}
    entries = tomllib.loads(path.read_text()).get("verdict", [])
    return {entry["key"]: entry for entry in entries}


def mask(secret):
    # A key block's armour line is no secret: only what follows it is cut.
    armour = re.match(r"-----BEGIN [A-Z0-9 ]+-----", secret)
    if armour:
        return armour.group(0) + (mask(secret[armour.end():]) if secret[armour.end():].strip() else "")
    return f"{secret[:2]}…{secret[-2:]}" if len(secret) > 4 else "…"


def redacted_line(finding):
    """The finding's source line, its secret cut to the first and last two characters."""
    try:
        with open(finding["absolute"], errors="replace") as source:
            line = next((text for number, text in enumerate(source, 1) if number == finding["line"]), "")
    except OSError:
        return "(unreadable)"
    line = line.rstrip("\n")
    shown = re.fullmatch(r"(.*)…\((\d+)\)", finding.get("redacted", ""), re.S)
    start = line.find(shown.group(1)) if shown and shown.group(1) else -1
    if start >= 0:
        end = start + int(shown.group(2))
        line, centre = line[:start] + mask(line[start:end]) + line[end:], start
    else:
        # Without the value's prefix, every long token is masked.
        line = re.sub(r"[A-Za-z0-9+/=_.-]{12,}", lambda m: mask(m.group(0)), line)
        centre = 0
    begin = max(0, centre - 80)
    return ("…" if begin else "") + line[begin:begin + 200].strip() + ("…" if len(line) > begin + 200 else "")


def sample_precision(sample, verdicts):
    judged = [verdicts[key]["verdict"] for key, _ in sample if key in verdicts]
    true = sum(1 for verdict in judged if verdict == "true")
    return true, len(judged), (true / len(judged) if judged else float("nan"))


def print_sample_entries(entries, verdicts):
    for number, (key, finding) in entries:
        verdict = verdicts.get(key)
        status = f"{verdict['verdict']}: {verdict['reason']}" if verdict else "unjudged"
        print(f"{number:3}. {key}  [{status}]\n       {redacted_line(finding)}")


def print_rule_counts(findings, top=15):
    counts = Counter(finding["rule"] for finding in findings)
    print(f"\nKeyward's {len(findings)} real-tree findings by rule (top {min(top, len(counts))} of {len(counts)} rules):\n")
    print("| rule | findings | share |")
    print("| --- | ---: | ---: |")
    for rule, count in counts.most_common(top):
        print(f"| {rule} | {count} | {100 * count / len(findings):.1f} % |")


def print_sample_report(sample, verdicts, tree, keyward):
    for size in (SAMPLE_SIZE, 2 * SAMPLE_SIZE):
        true, judged, precision = sample_precision(sample[:size], verdicts)
        print(f"\nSeeded sample, first {size} of {len(sample)} distinct findings: {judged} judged, "
              f"{true} true, precision {precision:.3f}.")
    by_rule = defaultdict(lambda: [0, 0])
    for key, finding in sample[:2 * SAMPLE_SIZE]:
        if key in verdicts:
            by_rule[finding["rule"]][0] += verdicts[key]["verdict"] == "true"
            by_rule[finding["rule"]][1] += 1
    print("By rule, first " + str(2 * SAMPLE_SIZE) + ": "
          + ", ".join(f"{rule} {true}/{judged} true" for rule, (true, judged) in sorted(by_rule.items())))
    unjudged = [(n, entry) for n, entry in enumerate(sample[:SAMPLE_SIZE], 1) if entry[0] not in verdicts]
    if unjudged:
        print(f"\n{len(unjudged)} of the first {SAMPLE_SIZE} have no verdict in {VERDICTS.relative_to(HERE.parent)}:")
        print_sample_entries(unjudged, verdicts)
    print(f"\nTo print the sample with its source lines and verdicts: "
          f"python3 benches/scan_peers.py --sample {tree} {keyward} {2 * SAMPLE_SIZE}")


def real_tree(tree, keyward, keywords):
    """Throughput, peak memory and findings of Keyward, ripgrep and kingfisher on tree,
    then Keyward's findings by rule and the seeded sample's precision."""
    megabytes = corpus_bytes(tree) / 1048576
    files = sum(1 for path in tree.rglob("*") if path.is_file())
    large = sum(path.stat().st_size for path in tree.rglob("*") if path.is_file() and path.stat().st_size > 10485760)
    page_cache(tree)
    runs, findings = real_tree_runs(tree, keyward, keywords)
    print(f"\nReal tree {tree}: {megabytes:.0f} MB in {files} files, {large / 1048576:.0f} MB of them in files "
          f"over 10 MiB (page-cached; best of two runs each; MB/s over the whole tree).\n")
    print("| tool | threads | MB/s | wall s | CPU s | peak RSS MB | findings |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for run in runs:
        print(f"| {run.tool} | {run.threads} | {megabytes / run.seconds:.1f} | {run.seconds:.2f} | {run.cpu:.2f} "
              f"| {run.rss:.0f} | {run.findings} |")
    print_targets({run.tool: run for run in runs})
    print_rule_counts(findings)
    print_sample_report(seeded_sample(findings, tree), load_verdicts(), tree, keyward)


def real_tree_runs(tree, keyward, keywords):
    """One Run per tool found, and Keyward's findings (outputs kept in benches/out/real-tree)."""
    out = HERE / "out" / "real-tree"
    out.mkdir(parents=True, exist_ok=True)
    seconds, rss, findings, cpu = keyward_scan(keyward, tree, out / "keyward.json")
    runs = [Run("keyward", "2 (one walker per core)", seconds, rss, len(findings), cpu)]
    # Keyward skips files over 10 MiB, kingfisher over 256 MB: the same files for both.
    seconds, rss, same, cpu = keyward_scan(keyward, tree, out / "keyward-256mb.json", extra=("--max-file-size", "268435456"))
    runs.append(Run(SAME_LIMIT, "2 (one walker per core)", seconds, rss, len(same), cpu))
    rg = find_tool("rg")
    if rg:
        seconds, rss, text, cpu = best_of(2, [rg, "--hidden", "--no-ignore", "-i", "-F", "-c", "-f", str(keywords), str(tree)])
        runs.append(Run(RIPGREP, "default (cores: 2)", seconds, rss, rg_count(text), cpu))
    kingfisher = find_tool("kingfisher")
    if kingfisher:
        seconds, rss, _, cpu = best_of(2, offline(kingfisher_command(kingfisher, tree)), out / "kingfisher.json")
        runs.append(Run("kingfisher", "2 (-j 2)", seconds, rss, kingfisher_count(out / "kingfisher.json"), cpu))
    return runs, findings


def print_targets(runs):
    """The issue's targets: ≥ 0.5× ripgrep, ≥ 5× kingfisher, peak memory ≤ 300 MB."""
    keyward, same = runs["keyward"], runs[SAME_LIMIT]
    print()
    for peer, target in ((RIPGREP, 0.5), ("kingfisher", 5.0)):
        if peer in runs:
            wall, cpu = runs[peer].seconds / keyward.seconds, runs[peer].cpu / keyward.cpu
            verdict = "met" if wall >= target else "missed"
            print(f"Keyward / {peer} throughput: {wall:.2f}× wall (target ≥ {target}×: {verdict}), {cpu:.2f}× CPU; "
                  f"with kingfisher's size limit {runs[peer].seconds / same.seconds:.2f}× wall")
    print(f"Keyward peak RSS: {keyward.rss:.0f} MB (target ≤ 300 MB: {'met' if keyward.rss <= 300 else 'missed'})")


def sample_only(tree, keyward, count):
    with tempfile.NamedTemporaryFile(suffix=".json") as output:
        _, _, findings, _ = keyward_scan(keyward, tree, output.name, runs=1)
    sample = seeded_sample(findings, tree)
    print_sample_entries(list(enumerate(sample[:count], 1)), load_verdicts())


def main():
    if sys.argv[1] == "--sample":
        tree, keyward = Path(sys.argv[2]), sys.argv[3]
        sample_only(tree, keyward, int(sys.argv[4]) if len(sys.argv) > 4 else 2 * SAMPLE_SIZE)
        return
    corpus, keyward = Path(sys.argv[1]), sys.argv[2]
    planted_corpus(corpus, keyward)
    if len(sys.argv) > 3 and Path(sys.argv[3]).is_dir():
        real_tree(Path(sys.argv[3]), keyward, corpus / "keywords.txt")
    elif len(sys.argv) > 3:
        print(f"\nNo real tree at {sys.argv[3]}: its figures are left out.")


if __name__ == "__main__":
    main()
