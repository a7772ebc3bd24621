// Which orders are left out by where they came from (issue 13, item 8). Shopify's source_name is
// "pos" for point of sale and "shopify_draft_order" for draft orders created in the admin; neither
// follows a storefront visit, so a TikTok click cannot have led to it. Subscription apps create
// renewals as new orders and tag them (Recharge: "Subscription Recurring Order"); a renewal repeats
// an old purchase, so sending it is the merchant's choice.
type OrderSourceRules = { includePosAndDraft: boolean; sendSubscriptionRenewals: boolean };

/** Tags that mark a subscription renewal, compared case-insensitively. */
const RENEWAL_TAGS = ["Subscription Recurring Order"];

/** Why this order is left out, for the Events page; null when its source is sent. */
export function leftOutReason(order: { sourceName: string | null; tags: string[] }, rules: OrderSourceRules): string | null {
  if (!rules.includePosAndDraft && order.sourceName === "pos")
    return "Point of sale order: left out, because in-person sales do not follow a TikTok ad click (Settings → Order sources).";
  if (!rules.includePosAndDraft && order.sourceName === "shopify_draft_order")
    return "Draft order created in the admin: left out, because it did not come from a storefront visit (Settings → Order sources).";
  const renewalTag = order.tags.find((t) => RENEWAL_TAGS.some((r) => r.toLowerCase() === t.toLowerCase()));
  if (!rules.sendSubscriptionRenewals && renewalTag)
    return `Subscription renewal (tagged “${renewalTag}”): left out, because renewals are not sent (Settings → Order sources).`;
  return null;
}
