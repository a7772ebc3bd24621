import { useMemo, useState } from "react";
import { Autocomplete, Text } from "@shopify/polaris";

type PixelChoice = { pixelCode: string; pixelName: string };

/**
 * The pixel, searched for by name or code. Nothing is chosen for the merchant except the pixel
 * already saved. `suggestedPixelCode` is the pixel the storefront was seen using, when known.
 * Posts the choice as `pixelCode`.
 */
export function PixelPicker({ pixels, current, suggestedPixelCode = null, onChange }: {
  pixels: PixelChoice[];
  current: string | null;
  suggestedPixelCode?: string | null;
  onChange: (pixelCode: string) => void;
}) {
  const [selected, setSelected] = useState(current ?? "");
  const labelOf = (code: string) => {
    const p = pixels.find((x) => x.pixelCode === code);
    return p ? `${p.pixelName} (${p.pixelCode})` : "";
  };
  const [query, setQuery] = useState(labelOf(current ?? ""));
  const options = useMemo(() => {
    const q = query.trim().toLowerCase();
    const shown = (p: PixelChoice) => `${p.pixelName} (${p.pixelCode})`;
    const all = pixels.map((p) => ({ value: p.pixelCode, label: `${shown(p)}${p.pixelCode === suggestedPixelCode ? " · used by your storefront" : ""}` }));
    const chosen = pixels.find((p) => p.pixelCode === selected);
    // While the field shows the chosen pixel's label, list every pixel, not just that one.
    return q && (!chosen || q !== shown(chosen).toLowerCase()) ? all.filter((o) => o.label.toLowerCase().includes(q)) : all;
  }, [pixels, query, selected, suggestedPixelCode]);

  return (
    <>
      <Autocomplete
        options={options}
        selected={selected ? [selected] : []}
        onSelect={([code]) => {
          setSelected(code ?? "");
          setQuery(labelOf(code ?? ""));
          onChange(code ?? "");
        }}
        emptyState={<Text as="p" tone="subdued">No pixel matches &ldquo;{query}&rdquo;.</Text>}
        textField={
          <Autocomplete.TextField
            label="Pixel"
            value={query}
            onChange={setQuery}
            placeholder={`Search ${pixels.length} pixels by name or code`}
            autoComplete="off"
            helpText={suggestedPixelCode ? `Your storefront uses pixel ${suggestedPixelCode}.` : undefined}
          />
        }
      />
      <input type="hidden" name="pixelCode" value={selected} />
    </>
  );
}
