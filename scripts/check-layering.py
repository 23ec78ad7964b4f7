#!/usr/bin/env python3
"""Keyward's layering check: the map in docs/ARCHITECTURE.md, enforced.

Two kinds of rule, both run by `make lint` (and so by `make test`):

Crate dependencies, read from `cargo tree -p PACKAGE -e normal --target all`
(normal dependencies of every platform, features as that package alone selects them):
  a. keyward-model, keyward-scan, keyward-probe and keyward-outbound never reach
     rusqlite, keyring, tokio-postgres or tauri (any `tauri-*` crate), directly or
     transitively: they never touch the database, the keychain, the team database or
     the window.
  b. keyward-store depends on no engine crate (keyward-probe, -scan, -rotate, -policy,
     -import, -report, -team).
  c. No package but keyward-app depends on tauri (or a `tauri-*` crate); for this rule
     a direct dev- or build-dependency counts too.
  d. keyward-model depends on no other package of the workspace (dev- and
     build-dependencies included).

Module cycles inside every crate (crates/*/src and src-tauri/src, one crate per
lib.rs / main.rs / bin/*.rs): the module tree is read from `mod` declarations
(`x.rs`, `x/mod.rs`, `#[path]`, inline `mod x { ... }`); references are `use` trees
(`crate::`, `super::`, `self::`, relative ones into child modules, brace groups) and
qualified paths in code (`crate::a::b::f()`, `$crate::x` in macro bodies); comments
and string literals never count. A reference from module M to module T is an edge
between the two children of their deepest common ancestor that contain them, so
`crate::a::x` -> `crate::b::y` is `a -> b` at the crate root and `crate::s::a` ->
`crate::s::b` is `a -> b` inside `s`. Test modules count (their lines are marked).
References to an ancestor's own items (a root function, `use super::*`) are not edges;
a name the ancestor only re-exports (`pub use finding::Finding` at the root, used as
`crate::Finding`) is followed to the module that defines it. Every strongly connected
component of more than one module is reported with the `use` lines that make it.

Exit status: 0 clean, 1 a rule is broken (each violation named on stderr), 2 the
check itself could not run (cargo failed, no workspace).

    scripts/check-layering.py              # both checks on this workspace
    scripts/check-layering.py --only modules
    scripts/check-layering.py --root DIR   # another checkout (e.g. a `git archive`)
    scripts/check-layering.py --self-test  # the checker's own tests, no cargo needed

Declared modules whose file is missing are printed as notes, not failures: the
compiler reports those.
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------------------------
# Crate dependency rules
# ---------------------------------------------------------------------------------

APP = "keyward-app"
MODEL = "keyward-model"
STORE = "keyward-store"
# Crates that hold pure logic and types: no database, keychain, team database, window.
PURE = ("keyward-model", "keyward-scan", "keyward-probe", "keyward-outbound")
FORBIDDEN_IN_PURE = ("rusqlite", "keyring", "tokio-postgres")
ENGINES = (
    "keyward-probe",
    "keyward-scan",
    "keyward-rotate",
    "keyward-policy",
    "keyward-import",
    "keyward-report",
    "keyward-team",
)


def is_tauri(name: str) -> bool:
    return name == "tauri" or name.startswith("tauri-")


class CheckError(Exception):
    """The check could not run (as opposed to: it ran and found a violation)."""


@dataclass
class DependencyGraph:
    """One package's normal dependency tree: node -> children, nodes named `name vX`."""

    root: str
    children: dict[str, set[str]] = field(default_factory=dict)

    def path_to(self, wanted) -> list[str] | None:
        """The shortest chain from the root to a node whose crate name satisfies
        `wanted`, or None."""
        previous: dict[str, str | None] = {self.root: None}
        queue = deque([self.root])
        while queue:
            node = queue.popleft()
            if node != self.root and wanted(crate_name(node)):
                chain = []
                while node is not None:
                    chain.append(crate_name(node))
                    node = previous[node]
                return chain[::-1]
            for child in sorted(self.children.get(node, ())):
                if child not in previous:
                    previous[child] = node
                    queue.append(child)
        return None


def crate_name(node: str) -> str:
    return node.split(" ", 1)[0]


TREE_LINE = re.compile(r"^(\d+)(\S+) (v\S+)")


def parse_cargo_tree(text: str) -> DependencyGraph:
    """Reads `cargo tree --prefix depth` output (one package's tree)."""
    graph = None
    stack: list[str] = []
    for line in text.splitlines():
        match = TREE_LINE.match(line)
        if not match:
            continue  # blank lines, "[build-dependencies]" headers
        depth = int(match.group(1))
        node = f"{match.group(2)} {match.group(3)}"
        if depth == 0:
            if graph is None:
                graph = DependencyGraph(root=node)
            stack = [node]
            continue
        if graph is None or depth > len(stack):
            raise CheckError(f"unexpected cargo tree line: {line!r}")
        del stack[depth:]
        graph.children.setdefault(stack[-1], set()).add(node)
        stack.append(node)
    if graph is None:
        raise CheckError("cargo tree printed no tree")
    return graph


@dataclass
class Workspace:
    members: list[str]  # package names
    # package -> [(dependency name, kind)] with kind "normal", "dev" or "build"
    direct: dict[str, list[tuple[str, str]]]
    trees: dict[str, DependencyGraph]


def check_dependencies(workspace: Workspace) -> list[str]:
    """Every broken dependency rule, one message each."""
    violations = []
    members = set(workspace.members)

    def chain(package, wanted):
        graph = workspace.trees.get(package)
        return graph.path_to(wanted) if graph else None

    # (a) the pure crates stay away from storage, keychain, team database and window.
    for package in PURE:
        if package not in members:
            continue
        for forbidden in FORBIDDEN_IN_PURE + ("tauri",):
            wanted = is_tauri if forbidden == "tauri" else (lambda n, f=forbidden: n == f)
            found = chain(package, wanted)
            if found:
                violations.append(
                    f"{package} must not depend on {found[-1]} (it never touches the "
                    f"database, the keychain, the team database or the window): "
                    + " -> ".join(found)
                )
    # (b) the store knows nothing above it.
    if STORE in members:
        for engine in ENGINES:
            found = chain(STORE, lambda n, e=engine: n == e)
            if found:
                violations.append(
                    f"{STORE} must not depend on the engine crate {engine}: "
                    + " -> ".join(found)
                )
    # (c) only the desktop app depends on tauri.
    for package in workspace.members:
        if package == APP:
            continue
        # The pure crates' tauri dependencies are already reported by (a).
        found = None if package in PURE else chain(package, is_tauri)
        if found:
            violations.append(
                f"{package} must not depend on {found[-1]} (only {APP} depends on tauri): "
                + " -> ".join(found)
            )
            continue
        for name, kind in workspace.direct.get(package, ()):
            if is_tauri(name) and kind != "normal":
                violations.append(
                    f"{package} must not depend on {name} (only {APP} depends on tauri): "
                    f"{kind}-dependency in its Cargo.toml"
                )
    # (d) the model depends on nothing of ours.
    if MODEL in members:
        others = members - {MODEL}
        found = chain(MODEL, lambda n: n in others)
        if found:
            violations.append(
                f"{MODEL} must not depend on another keyward crate: " + " -> ".join(found)
            )
        for name, kind in workspace.direct.get(MODEL, ()):
            if name in others and kind != "normal":
                violations.append(
                    f"{MODEL} must not depend on another keyward crate: {kind}-dependency "
                    f"on {name} in its Cargo.toml"
                )
    return violations


def cargo(root: Path, *args: str) -> str:
    command = [os.environ.get("CARGO", "cargo"), *args, "--locked"]
    try:
        done = subprocess.run(
            command, cwd=root, capture_output=True, text=True, check=False
        )
    except FileNotFoundError as error:
        raise CheckError(f"cannot run cargo: {error}") from error
    if done.returncode != 0:
        raise CheckError(f"`{' '.join(command)}` failed:\n{done.stderr.strip()}")
    return done.stdout


def load_workspace(root: Path) -> Workspace:
    metadata = json.loads(cargo(root, "metadata", "--format-version", "1", "--no-deps"))
    member_ids = set(metadata["workspace_members"])
    members, direct = [], {}
    for package in metadata["packages"]:
        if package["id"] not in member_ids:
            continue
        members.append(package["name"])
        direct[package["name"]] = [
            (dependency["name"], dependency.get("kind") or "normal")
            for dependency in package["dependencies"]
        ]
    trees = {}
    for package in sorted(members):
        output = cargo(
            root,
            "tree", "-p", package, "-e", "normal", "--target", "all", "--prefix", "depth"
        )
        trees[package] = parse_cargo_tree(output)
    return Workspace(members=sorted(members), direct=direct, trees=trees)


# ---------------------------------------------------------------------------------
# Rust source: comments and literals out
# ---------------------------------------------------------------------------------

IDENT_START = re.compile(r"[A-Za-z_]")
IDENT = re.compile(r"[A-Za-z0-9_]+")
RAW_STRING_START = re.compile(r'(?:b|c)?r(#*)"')
PREFIXED_STRING_START = re.compile(r'(?:b|c)"')


def strip_rust(text: str) -> tuple[str, dict[int, str]]:
    """Blanks out comments and the contents of string and character literals, keeping
    every newline and offset. Returns the code and, by the offset of each string
    literal's opening quote, the literal's raw text (for `#[path = "..."]`)."""
    out = list(text)
    strings: dict[int, str] = {}
    length = len(text)

    def blank(start: int, end: int) -> None:
        for index in range(start, end):
            if out[index] != "\n":
                out[index] = " "

    def quoted_end(start: int) -> int:
        """Index of the `"` closing the string whose content starts at `start`."""
        index = start
        while index < length:
            char = text[index]
            if char == "\\":
                index += 2
                continue
            if char == '"':
                return index
            index += 1
        return length

    index = 0
    while index < length:
        char = text[index]
        if char == "/" and text.startswith("//", index):
            end = text.find("\n", index)
            end = length if end < 0 else end
            blank(index, end)
            index = end
        elif char == "/" and text.startswith("/*", index):
            depth, end = 1, index + 2
            while end < length and depth:
                if text.startswith("/*", end):
                    depth, end = depth + 1, end + 2
                elif text.startswith("*/", end):
                    depth, end = depth - 1, end + 2
                else:
                    end += 1
            blank(index, end)
            index = end
        elif char == '"':
            end = quoted_end(index + 1)
            strings[index] = text[index + 1 : end]
            blank(index + 1, end)
            index = end + 1
        elif char == "'":
            if text.startswith("\\", index + 1):
                end = index + 3
                while end < length and text[end] != "'" and text[end] != "\n":
                    end += 1
                blank(index + 1, end)
                index = end + 1
            elif index + 2 < length and text[index + 2] == "'" and text[index + 1] != "\n":
                blank(index + 1, index + 2)
                index += 3
            else:
                index += 1  # a lifetime or a label
        elif IDENT_START.match(char):
            raw = RAW_STRING_START.match(text, index)
            prefixed = PREFIXED_STRING_START.match(text, index)
            if raw:
                hashes = raw.group(1)
                content = raw.end()
                end = text.find('"' + hashes, content)
                end = length if end < 0 else end
                strings[raw.end() - 1] = text[content:end]
                blank(content, end)
                index = end + 1 + len(hashes)
            elif prefixed:
                end = quoted_end(prefixed.end())
                strings[prefixed.end() - 1] = text[prefixed.end() : end]
                blank(prefixed.end(), end)
                index = end + 1
            else:
                index = IDENT.match(text, index).end()
        else:
            index += 1
    return "".join(out), strings


def matching_braces(code: str) -> dict[int, int]:
    pairs, stack = {}, []
    for index, char in enumerate(code):
        if char == "{":
            stack.append(index)
        elif char == "}" and stack:
            pairs[stack.pop()] = index
    return pairs


# ---------------------------------------------------------------------------------
# Module trees
# ---------------------------------------------------------------------------------

ModulePath = tuple  # a module path: () for the crate root, ("tls", "record") below it


@dataclass
class Module:
    path: ModulePath
    file: Path
    test: bool = False
    children: dict[str, "Module"] = field(default_factory=dict)
    # Names brought into scope by `use`, for following re-exports: name -> segments.
    imports: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Reference:
    module: ModulePath
    segments: list[str]
    file: Path
    line: int
    text: str
    test: bool
    # `$crate::...` in a macro_rules! body: the macro's text names the module.
    in_macro: bool = False


@dataclass
class Crate:
    label: str
    root: Path
    modules: dict[ModulePath, Module] = field(default_factory=dict)
    references: list[Reference] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


MOD_DECL = re.compile(
    r"((?:#\s*!?\s*\[[^\]]*\]\s*)*)"  # attributes (strings already blanked)
    r"(?:\bpub\s*(?:\([^)]*\)\s*)?)?"
    r"\bmod\s+(?:r#)?([A-Za-z_][A-Za-z0-9_]*)\s*([;{])"
)
USE_KEYWORD = re.compile(r"(?<![A-Za-z0-9_$])use\s+")
QUALIFIED = re.compile(
    r"(?<![A-Za-z0-9_])(crate|super|self)((?:\s*::\s*(?:r#)?[A-Za-z_][A-Za-z0-9_]*)+)"
)
USE_TOKEN = re.compile(r"\s*(::|[{},;*]|(?:r#)?[A-Za-z_][A-Za-z0-9_]*|\S)")


def parse_use_tree(code: str, start: int) -> tuple[list[tuple[list[str], str | None]], int] | None:
    """Parses the use tree starting at `start` (just after `use `). Returns the paths it
    names, each with the name it binds (None for globs), and the offset after the `;`;
    None when it is not a use declaration we understand."""
    tokens: list[str] = []
    index = start
    while True:
        match = USE_TOKEN.match(code, index)
        if not match:
            return None
        token = match.group(1)
        index = match.end()
        if token == ";":
            break
        tokens.append(token[2:] if token.startswith("r#") else token)
        if len(tokens) > 4000:
            return None
    position = 0

    def peek():
        return tokens[position] if position < len(tokens) else None

    def tree(prefix: list[str]) -> list[tuple[list[str], str | None]]:
        nonlocal position
        segments = list(prefix)
        if peek() == "::":
            position += 1
        while True:
            token = peek()
            if token == "{":
                position += 1
                found = []
                while peek() != "}":
                    if peek() is None:
                        raise ValueError("unclosed group")
                    found += tree(segments)
                    if peek() == ",":
                        position += 1
                position += 1
                return found
            if token == "*":
                position += 1
                return [(segments, None)]
            if token is None or not IDENT_START.match(token):
                raise ValueError(f"unexpected {token!r}")
            position += 1
            if token == "self" and segments and peek() != "::":
                bound = segments[-1]
            else:
                segments = segments + [token]
                bound = token
            if peek() == "::":
                position += 1
                continue
            if peek() == "as":
                position += 1
                bound = peek()
                position += 1
            return [(segments, bound)]

    try:
        paths = tree([])
    except (ValueError, TypeError):
        return None
    if position != len(tokens):
        return None
    return paths, index


def module_file(base_dir: Path, name: str) -> Path | None:
    for candidate in (base_dir / f"{name}.rs", base_dir / name / "mod.rs"):
        if candidate.is_file():
            return candidate
    return None


class CrateReader:
    def __init__(self, label: str, root: Path, repo: Path):
        self.crate = Crate(label=label, root=root)
        self.repo = repo
        self.seen_files: set[Path] = set()

    def display(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.repo))
        except ValueError:
            return str(path)

    def read(self) -> Crate:
        self.read_file(self.crate.root, (), mod_rs=True, test=False)
        return self.crate

    def read_file(self, file: Path, module_path: ModulePath, mod_rs: bool, test: bool) -> None:
        file = file.resolve()
        if file in self.seen_files:
            return
        self.seen_files.add(file)
        text = file.read_text(encoding="utf-8", errors="replace")
        code, strings = strip_rust(text)
        braces = matching_braces(code)
        line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        lines = text.splitlines()

        def line_of(offset: int) -> int:
            return bisect.bisect_right(line_starts, offset)

        self.crate.modules.setdefault(module_path, Module(path=module_path, file=file, test=test))
        # Inline modules of this file: (start, end, path, test), innermost found last.
        regions: list[tuple[int, int, ModulePath, bool]] = [(0, len(code), module_path, test)]
        # Children directories: for a file module, where its `mod x;` files live.
        own_dir = file.parent if mod_rs else file.parent / file.stem

        def region_at(offset: int) -> tuple[int, int, ModulePath, bool]:
            best = regions[0]
            for region in regions[1:]:
                if region[0] <= offset < region[1] and len(region[2]) > len(best[2]):
                    best = region
            return best

        pending_files = []
        for match in MOD_DECL.finditer(code):
            attributes, name, terminator = match.group(1), match.group(2), match.group(3)
            start_of_mod = match.start(2)
            _, _, parent, parent_test = region_at(start_of_mod)
            child_path = parent + (name,)
            child_test = parent_test or bool(
                re.search(r"\bcfg\s*\((?:[^()]|\([^()]*\))*\btest\b", attributes)
            )
            parent_module = self.crate.modules[parent]
            declared_at = f"{self.display(file)}:{line_of(start_of_mod)}"
            if terminator == "{":
                brace = match.end(3) - 1
                end = braces.get(brace, len(code))
                regions.append((brace, end, child_path, child_test))
                child = Module(path=child_path, file=file, test=child_test)
                self.crate.modules[child_path] = child
                parent_module.children[name] = child
                continue
            inline_dirs = list(parent[len(module_path):])
            path_attr = re.search(r'\bpath\s*=\s*"', attributes)
            if path_attr:
                quote = match.start(1) + path_attr.end() - 1
                relative = strings.get(quote)
                base = file.parent if not inline_dirs else own_dir.joinpath(*inline_dirs)
                child_file = (base / relative) if relative is not None else None
                if child_file is not None and not child_file.is_file():
                    child_file = None
                child_mod_rs = True
            else:
                child_file = module_file(own_dir.joinpath(*inline_dirs), name)
                child_mod_rs = child_file is not None and child_file.name == "mod.rs"
            if child_file is None:
                self.crate.notes.append(f"{declared_at}: no file for `mod {name};`")
                continue
            child = Module(path=child_path, file=child_file.resolve(), test=child_test)
            self.crate.modules[child_path] = child
            parent_module.children[name] = child
            pending_files.append((child_file, child_path, child_mod_rs, child_test))

        # `use` declarations.
        use_spans = []
        for match in USE_KEYWORD.finditer(code):
            parsed = parse_use_tree(code, match.end())
            if parsed is None:
                continue
            paths, end = parsed
            use_spans.append((match.start(), end))
            _, _, module, in_test = region_at(match.start())
            statement = " ".join(code[match.start() : end].split())
            line = line_of(match.start())
            for segments, bound in paths:
                if not segments:
                    continue
                self.crate.references.append(
                    Reference(module, segments, file, line, statement, in_test)
                )
                if bound is not None and bound != "_":
                    self.crate.modules[module].imports.setdefault(bound, segments)

        # Qualified paths in code, outside use declarations.
        span_starts = [span[0] for span in use_spans]
        for match in QUALIFIED.finditer(code):
            at = bisect.bisect_right(span_starts, match.start()) - 1
            if at >= 0 and use_spans[at][0] <= match.start() < use_spans[at][1]:
                continue
            segments = [match.group(1)] + [
                part.strip().removeprefix("r#")
                for part in match.group(2).split("::")
                if part.strip()
            ]
            _, _, module, in_test = region_at(match.start())
            line = line_of(match.start())
            text_line = lines[line - 1].strip() if line - 1 < len(lines) else ""
            in_macro = match.start() > 0 and code[match.start() - 1] == "$"
            self.crate.references.append(
                Reference(module, segments, file, line, text_line, in_test, in_macro)
            )

        for child_file, child_path, child_mod_rs, child_test in pending_files:
            self.read_file(child_file, child_path, child_mod_rs, child_test)


def resolve(crate: Crate, module: ModulePath, segments: list[str], depth: int = 0) -> tuple[ModulePath, bool] | None:
    """The module a path points into, and whether a re-export was followed to get
    there; None for a path that leaves the crate (another crate, a name in scope)."""
    modules = crate.modules
    index = 0
    first = segments[0]
    if first == "crate":
        base, index = (), 1
    elif first in ("self", "super"):
        base = module
        while index < len(segments) and segments[index] in ("self", "super"):
            if segments[index] == "super":
                if not base:
                    return None
                base = base[:-1]
            index += 1
    elif module in modules and first in modules[module].children:
        base = module
    else:
        return None
    followed = False
    while index < len(segments):
        current = modules.get(base)
        if current is None:
            break
        name = segments[index]
        if name in current.children:
            base = base + (name,)
            index += 1
            continue
        target = current.imports.get(name)
        if target is not None and depth < 8 and target != segments:
            resolved = resolve(crate, base, target, depth + 1)
            if resolved is not None:
                base, _ = resolved
                followed = True
                index += 1
                continue
        break
    return base, followed


@dataclass
class Evidence:
    file: Path
    line: int
    text: str
    test: bool
    via_reexport: bool
    in_macro: bool = False


@dataclass
class Cycle:
    crate: str
    parent: ModulePath
    parent_file: Path
    members: list[str]
    loop: list[str]
    edges: dict[tuple[str, str], list[Evidence]]


def module_edges(crate: Crate) -> dict[ModulePath, dict[tuple[str, str], list[Evidence]]]:
    """Edges between sibling modules, by parent module."""
    edges: dict[ModulePath, dict[tuple[str, str], list[Evidence]]] = {}
    for reference in crate.references:
        resolved = resolve(crate, reference.module, reference.segments)
        if resolved is None:
            continue
        target, followed = resolved
        source = reference.module
        common = 0
        while common < min(len(source), len(target)) and source[common] == target[common]:
            common += 1
        if common == len(source) or common == len(target):
            continue  # into itself, a descendant or an ancestor's own items
        parent = source[:common]
        key = (source[common], target[common])
        found = edges.setdefault(parent, {}).setdefault(key, [])
        evidence = Evidence(
            reference.file, reference.line, reference.text, reference.test, followed, reference.in_macro
        )
        if not any(e.file == evidence.file and e.line == evidence.line for e in found):
            found.append(evidence)
    return edges


def strongly_connected(nodes: list[str], edges: set[tuple[str, str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; components in a stable order."""
    successors = {node: sorted(b for a, b in edges if a == node) for node in nodes}
    index_of, low, on_stack, stack, components = {}, {}, set(), [], []
    counter = 0
    for start in nodes:
        if start in index_of:
            continue
        work = [(start, 0)]
        while work:
            node, child_index = work.pop()
            if child_index == 0:
                index_of[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            recurse = False
            children = successors.get(node, [])
            while child_index < len(children):
                child = children[child_index]
                child_index += 1
                if child not in index_of:
                    work.append((node, child_index))
                    work.append((child, 0))
                    recurse = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index_of[child])
            if recurse:
                continue
            if low[node] == index_of[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return sorted(components)


def a_loop(members: list[str], edges: set[tuple[str, str]]) -> list[str]:
    """One concrete cycle through the component's first member, for the headline."""
    start = members[0]
    inside = set(members)
    previous = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for a, b in sorted(edges):
            if a != node or b not in inside:
                continue
            if b == start:
                path = [node]
                while previous[path[-1]] is not None:
                    path.append(previous[path[-1]])
                return path[::-1] + [start]
            if b not in previous:
                previous[b] = node
                queue.append(b)
    return members + [start]


def find_cycles(crate: Crate) -> list[Cycle]:
    cycles = []
    for parent, edges in sorted(module_edges(crate).items()):
        pairs = set(edges)
        nodes = sorted({a for a, _ in pairs} | {b for _, b in pairs})
        for component in strongly_connected(nodes, pairs):
            if len(component) < 2:
                continue
            inside = {
                key: evidence
                for key, evidence in sorted(edges.items())
                if key[0] in component and key[1] in component
            }
            cycles.append(
                Cycle(
                    crate=crate.label,
                    parent=parent,
                    parent_file=crate.modules[parent].file,
                    members=component,
                    loop=a_loop(component, set(inside)),
                    edges=inside,
                )
            )
    return cycles


def package_name(directory: Path) -> str:
    """The package name in `directory`'s Cargo.toml, else the directory's name."""
    try:
        text = (directory / "Cargo.toml").read_text(encoding="utf-8")
    except OSError:
        text = ""
    package = re.search(r'^\[package\][^\[]*?^name\s*=\s*"([^"]+)"', text, re.M | re.S)
    return package.group(1) if package else directory.resolve().name


def crate_roots(repo: Path) -> list[tuple[str, Path]]:
    """(label, root file) of every crate whose modules are checked."""
    roots = []
    source_dirs = sorted(p / "src" for p in (repo / "crates").glob("*") if (p / "src").is_dir())
    # src-tauri, and a package at the workspace root if there is one again.
    source_dirs += [repo / d / "src" for d in ("src-tauri", ".") if (repo / d / "src").is_dir()]
    for source in source_dirs:
        package = package_name(source.parent)
        for name in ("lib.rs", "main.rs"):
            if (source / name).is_file():
                roots.append((f"{package} ({name})", source / name))
        bin_dir = source / "bin"
        if bin_dir.is_dir():
            for entry in sorted(bin_dir.iterdir()):
                if entry.suffix == ".rs":
                    roots.append((f"{package} (bin/{entry.name})", entry))
                elif (entry / "main.rs").is_file():
                    roots.append((f"{package} (bin/{entry.name}/main.rs)", entry / "main.rs"))
    return roots


def format_cycle(cycle: Cycle, repo: Path, limit: int = 12) -> str:
    def display(path: Path) -> str:
        try:
            return str(path.relative_to(repo))
        except ValueError:
            return str(path)

    where = "crate::" + "::".join(cycle.parent) if cycle.parent else "the crate root"
    lines = [
        f"module cycle in {cycle.crate}, between the children of {where} "
        f"({display(cycle.parent_file)}): " + " -> ".join(cycle.loop)
    ]
    for (source, target), evidence in cycle.edges.items():
        lines.append(f"    {source} -> {target}:")
        for item in evidence[:limit]:
            notes = []
            if item.test:
                notes.append("#[cfg(test)] code")
            if item.in_macro:
                notes.append("$crate path in a macro_rules! body")
            if item.via_reexport:
                notes.append("through a re-export")
            suffix = f"   [{', '.join(notes)}]" if notes else ""
            text = item.text if len(item.text) <= 140 else item.text[:137] + "..."
            lines.append(f"        {display(item.file)}:{item.line}: {text}{suffix}")
        if len(evidence) > limit:
            lines.append(f"        ... and {len(evidence) - limit} more")
    return "\n".join(lines)


def check_modules(repo: Path) -> tuple[list[str], list[str], int, int]:
    """(violations, notes, crates read, modules read)."""
    violations, notes, module_count = [], [], 0
    roots = crate_roots(repo)
    for label, root in roots:
        crate = CrateReader(label, root, repo).read()
        module_count += len(crate.modules)
        notes += crate.notes
        violations += [format_cycle(cycle, repo) for cycle in find_cycles(crate)]
    return violations, notes, len(roots), module_count


# ---------------------------------------------------------------------------------
# Self-test
# ---------------------------------------------------------------------------------


def write_tree(base: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = base / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


CLEAN_CRATE = {
    "src/lib.rs": """
        //! use crate::b::Nothing; (a doc comment: never a reference)
        pub mod a;
        pub mod b;
        mod c;
        pub use c::Thing;
        pub fn root_helper() {}
        #[cfg(test)]
        mod tests {
            use super::*;
            use crate::a::A;
        }
    """,
    # a -> b, a -> c (through the root re-export), a -> root's own item (no edge).
    "src/a.rs": """
        use crate::b::{B, inner::{Deep}};
        use crate::Thing;
        pub struct A;
        fn f() { crate::root_helper(); let s = "crate::c::Thing and use crate::c::x;"; }
        /* block /* nested */ use crate::c::Hidden; */
        fn g<'a>(x: &'a str) -> char { let _ = r#"use crate::c::Raw;"#; 'c' }
    """,
    "src/b/mod.rs": """
        pub mod inner;
        pub struct B;
        pub use self::inner::Deep;
    """,
    # inner -> sibling-of-parent: an edge b -> c at the root, nothing inside b.
    "src/b/inner.rs": """
        pub struct Deep;
        fn h() -> crate::c::Thing { super::super::c::Thing }
        fn q() { let c = '"'; let d = b"use crate::a::A;"; }
    """,
    "src/c.rs": """
        pub struct Thing;
        // use crate::a::A;
        const NOTE: &str = "crate::a::A";
        #[path = "c_parts/extra.rs"]
        mod extra;
        mod nested { pub(crate) fn n() {} }
    """,
    "src/c_parts/extra.rs": """
        use super::nested::n;
        fn e() { n(); }
    """,
}

CYCLIC_CRATE = {
    "src/lib.rs": """
        mod finding;
        mod grade;
        mod report;
        pub use finding::Finding;
        mod service;
        mod configure;
        mod policy;
        pub use policy::Policy;
    """,
    # A macro's body names a module through `$crate` and a re-export.
    "src/configure.rs": """
        macro_rules! build { ($p:expr) => {{ let p: &$crate::Policy = $p; }}; }
        pub(crate) use build;
    """,
    "src/policy.rs": "use crate::configure::build;\npub struct Policy;\n",
    "src/finding.rs": """
        use super::grade::Grade;
        pub struct Finding(Grade);
    """,
    # grade -> finding only through the root re-export.
    "src/grade.rs": """
        pub struct Grade;
        pub fn worst(findings: &[crate::Finding]) -> Grade { Grade }
    """,
    "src/report.rs": """
        pub struct Report;
        #[cfg(test)]
        mod tests {
            use crate::service::{self, run};
        }
    """,
    "src/service/mod.rs": """
        mod left;
        mod right;
        use crate::report::Report;
    """,
    "src/service/left.rs": "use super::right::R; pub struct L;\n",
    "src/service/right.rs": "pub struct R; fn f() -> super::left::L { todo!() }\n",
}


class LexerTest(unittest.TestCase):
    def test_comments_and_literals_are_blanked_with_offsets_kept(self):
        text = 'a // crate::x\nb /* /* crate::y */ */ "crate::z\\"q" r#"crate::w"# \'"\' \'a c'
        code, strings = strip_rust(text)
        self.assertEqual(len(code), len(text), "offsets must survive stripping")
        self.assertEqual(code.count("\n"), text.count("\n"), "line numbers must survive")
        self.assertNotIn("crate", code, f"a comment or string leaked into the code: {code!r}")
        self.assertIn("'a c", code, "a lifetime is code, not a character literal")
        self.assertIn('crate::z\\"q', strings.values())
        self.assertIn("crate::w", strings.values())

    def test_use_trees_expand_groups_self_and_renames(self):
        code = "use crate::{a, b::{self, c as d}, e::*};"
        parsed = parse_use_tree(code, len("use "))
        self.assertIsNotNone(parsed)
        paths, _ = parsed
        self.assertEqual(
            paths,
            [
                (["crate", "a"], "a"),
                (["crate", "b"], "b"),
                (["crate", "b", "c"], "d"),
                (["crate", "e"], None),
            ],
        )


class ModuleCycleTest(unittest.TestCase):
    def read(self, files: dict[str, str]) -> tuple[Crate, list[Cycle]]:
        with tempfile.TemporaryDirectory() as directory:
            base = Path(directory)
            write_tree(base, files)
            crate = CrateReader("fixture (lib.rs)", base / "src" / "lib.rs", base).read()
            return crate, find_cycles(crate)

    def test_clean_tree_has_no_cycle(self):
        crate, cycles = self.read(CLEAN_CRATE)
        self.assertEqual(cycles, [], "\n".join(format_cycle(c, Path("/")) for c in cycles))
        self.assertEqual(crate.notes, [], "every declared module has its file")
        self.assertIn(("c", "extra"), crate.modules, "#[path] modules are read")
        self.assertIn(("c", "nested"), crate.modules, "inline modules are read")
        root_edges = module_edges(crate).get((), {})
        self.assertEqual(
            sorted(root_edges),
            [("a", "b"), ("a", "c"), ("b", "c"), ("tests", "a")],
            "edges: use trees, a root re-export followed to its module, qualified paths "
            "in code, super::super, test modules; nothing from comments, strings or the "
            "root's own items",
        )
        via = [e for e in root_edges[("a", "c")] if e.via_reexport]
        self.assertTrue(via, "crate::Thing is followed through `pub use c::Thing`")

    def test_cycles_are_found_at_every_level_with_their_lines(self):
        crate, cycles = self.read(CYCLIC_CRATE)
        found = {(cycle.parent, tuple(cycle.members)) for cycle in cycles}
        self.assertEqual(
            found,
            {
                ((), ("configure", "policy")),
                ((), ("finding", "grade")),
                ((), ("report", "service")),
                (("service",), ("left", "right")),
            },
            "cycles at the root through a re-export, through a macro's $crate path and "
            "only through test code, and one between siblings below the root",
        )
        root = next(c for c in cycles if c.members == ["finding", "grade"])
        lines = [(e.file.name, e.line, e.text) for ev in root.edges.values() for e in ev]
        self.assertIn(("finding.rs", 2, "use super::grade::Grade;"), lines)
        self.assertTrue(any(name == "grade.rs" and line == 3 for name, line, _ in lines))
        test_only = next(c for c in cycles if c.members == ["report", "service"])
        self.assertTrue(all(e.test for e in test_only.edges[("report", "service")]))
        through_macro = next(c for c in cycles if c.members == ["configure", "policy"])
        self.assertTrue(all(e.in_macro for e in through_macro.edges[("configure", "policy")]))


def graph(root: str, edges: list[tuple[str, str]]) -> DependencyGraph:
    result = DependencyGraph(root=f"{root} v0")
    for parent, child in edges:
        result.children.setdefault(f"{parent} v0", set()).add(f"{child} v0")
    return result


class DependencyRuleTest(unittest.TestCase):
    def test_cargo_tree_output_is_read_as_a_graph(self):
        tree = parse_cargo_tree(
            "0keyward-scan v0.1.0 (/w/crates/keyward-scan)\n1regex v1.0.0\n2memchr v2.0.0\n"
            "1keyward-model v0.1.0 (/w/crates/keyward-model)\n2serde v1.0.0\n1memchr v2.0.0\n"
        )
        self.assertEqual(tree.path_to(lambda n: n == "serde"), ["keyward-scan", "keyward-model", "serde"])
        self.assertEqual(tree.path_to(lambda n: n == "memchr"), ["keyward-scan", "memchr"])

    def test_every_rule_names_its_violation(self):
        members = [
            APP, MODEL, STORE, "keyward-scan", "keyward-probe", "keyward-vault",
            "keyward-report", "keyward-testsupport",
        ]
        workspace = Workspace(
            members=members,
            direct={MODEL: [("keyward-testsupport", "dev")], "keyward-vault": [("tauri-build", "build")]},
            trees={
                APP: graph(APP, [(APP, "tauri")]),
                MODEL: graph(MODEL, [(MODEL, "keyward-vault")]),
                STORE: graph(STORE, [(STORE, "keyward-report"), (STORE, "rusqlite")]),
                "keyward-scan": graph("keyward-scan", [("keyward-scan", "x"), ("x", "keyring")]),
                "keyward-probe": graph("keyward-probe", [("keyward-probe", "tauri-plugin-fs")]),
                "keyward-vault": graph("keyward-vault", [("keyward-vault", "keyring")]),
                "keyward-report": graph("keyward-report", []),
            },
        )
        text = "\n".join(check_dependencies(workspace))
        for expected in (
            "keyward-scan must not depend on keyring (it never touches the database, the "
            "keychain, the team database or the window): keyward-scan -> x -> keyring",
            "keyward-probe must not depend on tauri-plugin-fs",
            "keyward-store must not depend on the engine crate keyward-report: keyward-store -> keyward-report",
            "keyward-vault must not depend on tauri-build (only keyward-app depends on tauri): build-dependency",
            "keyward-model must not depend on another keyward crate: keyward-model -> keyward-vault",
            "dev-dependency on keyward-testsupport",
        ):
            self.assertIn(expected, text)
        self.assertNotIn("keyward-app must not", text, "the app may depend on tauri")
        self.assertEqual(
            sum("tauri-plugin-fs" in line for line in text.splitlines()), 1, "one message per broken rule"
        )
        clean = Workspace(members=[MODEL], direct={}, trees={MODEL: graph(MODEL, [(MODEL, "serde")])})
        self.assertEqual(check_dependencies(clean), [])


def self_test() -> int:
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    result = unittest.TextTestRunner(verbosity=1).run(suite)
    return 0 if result.wasSuccessful() else 1


# ---------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--self-test", action="store_true", help="run the checker's own tests")
    parser.add_argument(
        "--only", choices=("deps", "modules"), help="run one of the two checks (default: both)"
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=REPO,
        help="the workspace to check (default: the repository holding this script)",
    )
    arguments = parser.parse_args()
    root = arguments.root.resolve()
    if arguments.self_test:
        return self_test()

    violations: list[str] = []
    summary = []
    try:
        if arguments.only in (None, "deps"):
            workspace = load_workspace(root)
            violations += [f"dependency rule broken: {v}" for v in check_dependencies(workspace)]
            summary.append(f"{len(workspace.members)} packages")
        if arguments.only in (None, "modules"):
            cycles, notes, crates, modules = check_modules(root)
            violations += cycles
            for note in notes:
                print(f"check-layering: note: {note}", file=sys.stderr)
            summary.append(f"{crates} crates, {modules} modules")
    except CheckError as error:
        print(f"check-layering: cannot check: {error}", file=sys.stderr)
        return 2
    for violation in violations:
        print(f"check-layering: {violation}", file=sys.stderr)
    verdict = f"{len(violations)} violation(s)" if violations else "layering holds"
    print(f"check-layering: {', '.join(summary)}: {verdict}", file=sys.stderr if violations else sys.stdout)
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
