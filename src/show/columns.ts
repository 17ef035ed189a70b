// Aligned text tables for the listings iproute2 has no line format for (vrfs, interfaces,
// capacity): a header, then columns two spaces apart, numbers right-aligned so that their
// digits line up. No trailing spaces, so the output diffs and greps cleanly.

export interface Column {
  header: string;
  right?: boolean;
}

export function formatColumns(columns: Column[], rows: string[][]): string[] {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (columns[i]!.right ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...rows.map(line)];
}
