/**
 * Parses JSON from Shopify keeping integers beyond 2^53 exact: they come back as strings.
 * Shopify ids (orders, customers) exceed Number.MAX_SAFE_INTEGER, and JSON.parse would round them.
 */
export function parseJsonKeepingBigIntegers(raw: string): unknown {
  let out = "";
  let inString = false;
  let i = 0;
  while (i < raw.length) {
    const ch = raw[i];
    if (inString) {
      out += ch;
      if (ch === "\\") {
        out += raw[i + 1] ?? "";
        i += 2;
        continue;
      }
      if (ch === '"') inString = false;
      i++;
      continue;
    }
    if (ch === '"') {
      inString = true;
      out += ch;
      i++;
      continue;
    }
    if (ch === "-" || (ch >= "0" && ch <= "9")) {
      let j = i + 1;
      while (j < raw.length && /[0-9.eE+-]/.test(raw[j])) j++;
      const literal = raw.slice(i, j);
      out += /^-?\d+$/.test(literal) && !Number.isSafeInteger(Number(literal)) ? `"${literal}"` : literal;
      i = j;
      continue;
    }
    out += ch;
    i++;
  }
  return JSON.parse(out);
}
