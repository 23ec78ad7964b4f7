import {
  flexRender,
  getCoreRowModel,
  getFilteredRowModel,
  getSortedRowModel,
  useReactTable,
  type ColumnDef,
  type SortingState,
} from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useRef, useState } from "react";

const ROW_HEIGHT = 36;

/**
 * A sortable, filterable table that renders only the rows in view, so 10,000
 * credentials cost what 30 do. `filter` is matched against every column's text.
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
  columns: ColumnDef<Row, string>[];
  filter: string;
  onOpen: (row: Row) => void;
  rowKey: (row: Row) => string;
}) {
  const [sorting, setSorting] = useState<SortingState>([]);
  const table = useReactTable({
    data: rows,
    columns,
    state: { sorting, globalFilter: filter },
    onSortingChange: setSorting,
    globalFilterFn: "includesString",
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getFilteredRowModel: getFilteredRowModel(),
    getRowId: rowKey,
  });
  const visible = table.getRowModel().rows;
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
        {table.getHeaderGroups().map((group) => (
          <div role="row" key={group.id} className="table-row" style={{ gridTemplateColumns: template }}>
            {group.headers.map((header) => {
              const sorted = header.column.getIsSorted();
              return (
                <div
                  role="columnheader"
                  key={header.id}
                  aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : "none"}
                >
                  <button className="sort" onClick={header.column.getToggleSortingHandler()}>
                    {flexRender(header.column.columnDef.header, header.getContext())}
                    <span aria-hidden="true">{sorted === "asc" ? " ▲" : sorted === "desc" ? " ▼" : ""}</span>
                  </button>
                </div>
              );
            })}
          </div>
        ))}
      </div>
      <div ref={scroller} className="table-body" role="rowgroup">
        {visible.length === 0 && <p className="muted empty">{filter ? `Nothing matches “${filter}”.` : "Nothing here yet."}</p>}
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = visible[item.index];
            if (!row) return null;
            return (
              <div
                role="row"
                key={row.id}
                tabIndex={0}
                aria-rowindex={item.index + 2}
                className="table-row body-row"
                style={{ gridTemplateColumns: template, position: "absolute", top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
                onClick={() => onOpen(row.original)}
                onKeyDown={(event) => event.key === "Enter" && onOpen(row.original)}
              >
                {row.getVisibleCells().map((cell) => (
                  <div role="cell" key={cell.id} title={String(cell.getValue() ?? "")}>
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </div>
                ))}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
