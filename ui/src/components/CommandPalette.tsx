import { useEffect, useMemo, useRef, useState } from "react";
import { api } from "../api";
import { useNavigation } from "../navigation";
import { PALETTE_SCREENS, type PaletteEntry } from "../screens/registry";
import { useLoad } from "../useLoad";

/** Ctrl/Cmd+K: one search over credentials, integrations and screens. */
export function CommandPalette({ onClose }: { onClose: () => void }) {
  const { go, revision } = useNavigation();
  const [query, setQuery] = useState("");
  const [selected, setSelected] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const load = useLoad(() => api.inventory(), [revision]);

  const entries = useMemo(() => {
    const all: PaletteEntry[] = [...PALETTE_SCREENS];
    if (load.state === "ready") {
      const { credentials, integrations } = load.value;
      for (const credential of credentials) {
        all.push({ label: credential.name, detail: `credential · ${credential.kind}${credential.provider ? ` · ${credential.provider}` : ""}`, route: { screen: "credential", name: credential.name } });
      }
      for (const integration of integrations) {
        all.push({ label: integration.name, detail: `integration · ${integration.provider} · ${integration.environment}`, route: { screen: "integration", name: integration.name } });
      }
    }
    const needle = query.trim().toLowerCase();
    const matching = needle ? all.filter((entry) => `${entry.label} ${entry.detail}`.toLowerCase().includes(needle)) : all;
    return matching.slice(0, 50);
  }, [load, query]);

  const choose = (entry: PaletteEntry | undefined) => entry && go(entry.route);

  return (
    <div className="backdrop" onClick={onClose}>
      <div className="palette" role="dialog" aria-modal="true" aria-label="Search everything" onClick={(event) => event.stopPropagation()}>
        <input
          ref={input}
          aria-label="Search everything"
          placeholder="Search credentials, integrations, screens…"
          value={query}
          onChange={(event) => {
            setQuery(event.target.value);
            setSelected(0);
          }}
          onKeyDown={(event) => {
            if (event.key === "ArrowDown") setSelected((index) => Math.min(index + 1, entries.length - 1));
            else if (event.key === "ArrowUp") setSelected((index) => Math.max(index - 1, 0));
            else if (event.key === "Enter") choose(entries[selected]);
            else if (event.key === "Escape") onClose();
          }}
        />
        <ul role="listbox" aria-label="Results">
          {entries.map((entry, index) => (
            <li
              key={`${entry.detail}:${entry.label}`}
              role="option"
              aria-selected={index === selected}
              className={index === selected ? "selected" : undefined}
              onMouseEnter={() => setSelected(index)}
              onClick={() => choose(entry)}
            >
              <span>{entry.label}</span>
              <span className="muted">{entry.detail}</span>
            </li>
          ))}
          {entries.length === 0 && <li className="muted">Nothing matches “{query}”.</li>}
        </ul>
      </div>
    </div>
  );
}
