import type { ReactNode } from "react";

// Polaris' DataTable wraps every table in a scroll region that keyboard users cannot reach
// (axe: scrollable-region-focusable). Short tables of text need no scrolling: a plain table
// that wraps its cells, styled with Polaris' own tokens.
const cell = { padding: "var(--p-space-200) var(--p-space-300)", borderBottom: "var(--p-border-width-025) solid var(--p-color-border-secondary)", textAlign: "start", verticalAlign: "top" } as const;

export function PlainTable({ headings, rows, label }: { headings: string[]; rows: ReactNode[][]; label: string }) {
  return (
    <table aria-label={label} style={{ width: "100%", borderCollapse: "collapse", fontSize: "var(--p-font-size-325)" }}>
      <thead>
        <tr>
          {headings.map((h, i) => (
            <th key={i} scope="col" style={{ ...cell, fontWeight: "var(--p-font-weight-semibold)" }}>{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, r) => (
          <tr key={r}>
            {row.map((value, c) => (
              <td key={c} style={{ ...cell, overflowWrap: "anywhere" }}>{value}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
