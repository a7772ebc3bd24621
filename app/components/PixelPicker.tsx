import { useState } from "react";
import { BlockStack, ChoiceList, Text, TextField } from "@shopify/polaris";

type PixelChoice = { pixelCode: string; pixelName: string };

/**
 * The pixel: a search field that narrows a list of radio buttons, by name or code. Nothing is
 * chosen for the merchant except the pixel already saved. `suggestedPixelCode` is the pixel the
 * storefront was seen using, when known. Posts the choice as `pixelCode`.
 */
export function PixelPicker({ pixels, current, suggestedPixelCode = null, onChange }: {
  pixels: PixelChoice[];
  current: string | null;
  suggestedPixelCode?: string | null;
  onChange: (pixelCode: string) => void;
}) {
  const [selected, setSelected] = useState(current ?? "");
  const [query, setQuery] = useState("");
  const q = query.trim().toLowerCase();
  const label = (p: PixelChoice) => `${p.pixelName} (${p.pixelCode})`;
  // The chosen pixel stays listed whatever the search, so the choice is always visible.
  const shown = pixels.filter((p) => !q || p.pixelCode === selected || label(p).toLowerCase().includes(q));
  return (
    <BlockStack gap="200">
      <TextField
        label="Search pixels"
        value={query}
        onChange={setQuery}
        placeholder={`Name or code, among ${pixels.length} pixels`}
        autoComplete="off"
        clearButton
        onClearButtonClick={() => setQuery("")}
        helpText={suggestedPixelCode ? `Your storefront uses pixel ${suggestedPixelCode}.` : undefined}
      />
      <div style={{ maxHeight: 320, overflowY: "auto" }}>
          <ChoiceList
            title="Pixel"
            choices={shown.map((p) => ({
              value: p.pixelCode,
              label: label(p),
              helpText: p.pixelCode === suggestedPixelCode ? "Used by your storefront" : undefined,
            }))}
            selected={selected ? [selected] : []}
            onChange={([code]) => {
              setSelected(code ?? "");
              onChange(code ?? "");
            }}
          />
      </div>
      {shown.length === 0 ? <Text as="p" tone="subdued">No pixel matches &ldquo;{query}&rdquo;.</Text> : null}
      <input type="hidden" name="pixelCode" value={selected} />
    </BlockStack>
  );
}
