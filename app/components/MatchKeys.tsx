import { Text } from "@shopify/polaris";

/** What each match key is, in a merchant's words. */
export const MATCH_KEY_LABEL: Record<string, string> = {
  email: "Email",
  phone: "Phone",
  ttclid: "Click",
  ttp: "TikTok cookie",
  external_id: "Visitor ID",
  first_name: "First name",
  last_name: "Last name",
  zip_code: "Postal code",
  city: "City",
  state: "State",
  country: "Country",
  ip: "IP address",
  user_agent: "Browser",
  locale: "Language",
};

/** The three keys that decide most matches, always shown; the rest only when present. */
const MAIN_KEYS = ["email", "phone", "ttclid"];

/** "Email ✓ Phone ✗ Click ✓ · also IP address, Browser": what TikTok could match this order on. */
export function matchKeysText(keys: string[]) {
  const main = MAIN_KEYS.map((k) => `${MATCH_KEY_LABEL[k]} ${keys.includes(k) ? "✓" : "✗"}`).join(" ");
  const others = keys.filter((k) => !MAIN_KEYS.includes(k)).map((k) => MATCH_KEY_LABEL[k] ?? k);
  return others.length ? `${main} · also ${others.join(", ")}` : main;
}

export function MatchKeys({ keys }: { keys: string[] }) {
  const spoken = MAIN_KEYS.map((k) => `${MATCH_KEY_LABEL[k]} ${keys.includes(k) ? "yes" : "no"}`).join(", ");
  return (
    <Text as="span" variant="bodySm">
      <span aria-hidden="true">{matchKeysText(keys)}</span>
      <Text as="span" visuallyHidden>{`${spoken}${keys.some((k) => !MAIN_KEYS.includes(k)) ? `, also ${keys.filter((k) => !MAIN_KEYS.includes(k)).map((k) => MATCH_KEY_LABEL[k] ?? k).join(", ")}` : ""}`}</Text>
    </Text>
  );
}
