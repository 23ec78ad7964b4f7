import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";

const ROW_HEIGHT = 36;

/** One column: its text (what the filter matches and the sort orders) and how it shows. */
export interface Column<Row> {
  id: string;
  header: string;
  value: (row: Row) => string;
  /** Display of the text, when not the text itself (dates shortened, "—" for empty). */
  show?: (value: string) => ReactNode;
}

type Sorting = { column: string; descending: boolean } | null;

/**
 * The column texts of a fixed set of rows, each computed once on first use: per row
 * (display), per column (sort) and per row lowercased and joined (filter).
 */
class TextCache<Row> {
  private readonly rowTexts: (string[] | undefined)[];
  private readonly columnTexts: (string[] | undefined)[];
  private readonly haystacks: (string | undefined)[];

  constructor(
    private readonly rows: Row[],
    private readonly columns: Column<Row>[],
  ) {
    this.rowTexts = new Array<string[] | undefined>(rows.length);
    this.columnTexts = new Array<string[] | undefined>(columns.length);
    this.haystacks = new Array<string | undefined>(rows.length);
  }

  row(index: number): string[] {
    let values = this.rowTexts[index];
    if (values === undefined) {
      const row = this.rows[index] as Row;
      values = this.columns.map((column) => column.value(row));
      this.rowTexts[index] = values;
    }
    return values;
  }

  column(at: number): string[] {
    let values = this.columnTexts[at];
    if (values === undefined) {
      const column = this.columns[at] as Column<Row>;
      values = this.rows.map((row) => column.value(row));
      this.columnTexts[at] = values;
    }
    return values;
  }

  haystack(index: number): string {
    let text = this.haystacks[index];
    if (text === undefined) {
      text = this.row(index).join("\u0000").toLowerCase();
      this.haystacks[index] = text;
    }
    return text;
  }

  /** Fills the filter texts once the current frame is out; returns the cancel. */
  prepareFilterSoon(): () => void {
    const preparing = setTimeout(() => {
      for (let index = 0; index < this.rows.length; index++) this.haystack(index);
    }, 50);
    return () => clearTimeout(preparing);
  }
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

/** Ascending, then descending, then back to the order the rows came in. */
function nextSorting(current: Sorting, column: string): Sorting {
  if (current?.column !== column) return { column, descending: false };
  return current.descending ? null : { column, descending: true };
}

/**
 * A sortable, filterable table that renders only the rows in view, so 10,000
 * credentials cost what 30 do. Filtering and sorting work on plain arrays of row
 * indices over text computed once per row: a general table model builds an object
 * with a dozen closures per row, which for 10,000 rows was most of the first render.
 * `filter` is matched, case-insensitively, against every column's text.
 */
export function VirtualTable<Row>({
  label,
  rows,
  columns,
  filter,
  onOpen,
  rowKey,
}: {
  label: string;
  rows: Row[];
  columns: Column<Row>[];
  filter: string;
  onOpen: (row: Row) => void;
  rowKey: (row: Row) => string;
}) {
  const [sorting, setSorting] = useState<Sorting>(null);
  // Texts are computed when first needed: the rows in view for the first paint, one
  // column for a sort, every row for a filter (prepared just after the first paint, so
  // the first keystroke finds them ready). Computing all of them up front allocated
  // 100,000 strings for 10,000 rows before anything showed.
  const texts = useMemo(() => new TextCache(rows, columns), [rows, columns]);
  useEffect(() => texts.prepareFilterSoon(), [texts]);
  const order = useMemo(() => {
    const indices = rows.map((_, index) => index);
    const at = sorting ? columns.findIndex((column) => column.id === sorting.column) : -1;
    if (sorting && at >= 0) {
      const direction = sorting.descending ? -1 : 1;
      const keys = texts.column(at);
      indices.sort((a, b) => direction * collator.compare(keys[a] ?? "", keys[b] ?? ""));
    }
    return indices;
  }, [rows, columns, texts, sorting]);
  const visible = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return needle ? order.filter((index) => texts.haystack(index).includes(needle)) : order;
  }, [order, texts, filter]);

  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: visible.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    // Until the first measurement, assume a window-sized box so rows show in the first paint.
    initialRect: { width: 1000, height: 600 },
  });
  const template = `repeat(${columns.length}, minmax(0, 1fr))`;

  return (
    <div className="table" role="table" aria-label={label} aria-rowcount={visible.length + 1}>
      <div role="rowgroup" className="table-head">
        <div role="row" className="table-row" style={{ gridTemplateColumns: template }}>
          {columns.map((column) => {
            const sorted = sorting?.column === column.id ? (sorting.descending ? "desc" : "asc") : null;
            return (
              <div role="columnheader" key={column.id} aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : "none"}>
                <button className="sort" onClick={() => setSorting((current) => nextSorting(current, column.id))}>
                  {column.header}
                  <span aria-hidden="true">{sorted === "asc" ? " ▲" : sorted === "desc" ? " ▼" : ""}</span>
                </button>
              </div>
            );
          })}
        </div>
      </div>
      <div ref={scroller} className="table-body" role="rowgroup">
        {visible.length === 0 && <p className="muted empty">{filter ? `Nothing matches “${filter}”.` : "Nothing here yet."}</p>}
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {virtualizer.getVirtualItems().map((item) => {
            const index = visible[item.index];
            const row = index === undefined ? undefined : rows[index];
            if (index === undefined || row === undefined) return null;
            const values = texts.row(index);
            return (
              <div
                role="row"
                key={rowKey(row)}
                tabIndex={0}
                aria-rowindex={item.index + 2}
                className="table-row body-row"
                style={{ gridTemplateColumns: template, position: "absolute", top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
                onClick={() => onOpen(row)}
                onKeyDown={(event) => event.key === "Enter" && onOpen(row)}
              >
                {columns.map((column, at) => {
                  const value = values[at] ?? "";
                  return (
                    <div role="cell" key={column.id} title={value}>
                      {column.show ? column.show(value) : value}
                    </div>
                  );
                })}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
