// TikTok's own purchase figures in the sandbox's reports (complete_payment, total_complete_payment_rate
// and their view-through parts, as TikTok's SDK names them; docs/decisions/0008), derived from what the
// sandbox received, so a dashboard's reconciliation against them reads true:
// - click-through: a server purchase counts for the ad group whose click it carries (`user.ttclid`),
//   registered with POST /__sandbox/clicks (TikTok knows which ad it served; the sandbox is told), once per
//   pixel, event name and event_id (the dedup ledger counted it), on the day of the click in the ad
//   account's time zone (the sandbox's choice: a demo that plays a past month registers past clicks), with
//   its value when the event's currency is the account's (else its count only);
// - view-through: TikTok also credits purchases by people who saw an ad without clicking it. The sandbox
//   adds VIEW_THROUGH_SHARE of each ad group's day, rounded, valued at that day's average purchase.
// A sandbox model, not TikTok's: TikTok's own windows and rules are its attribution settings.
import { currencyDigits, localDate, type World } from "./world";

/** TikTok's purchase event and its legacy name, which TikTok converts to it. */
export const PURCHASE_EVENTS: ReadonlySet<string> = new Set(["Purchase", "CompletePayment"]);

/** View-through purchases (and value) added per ad group and day, as a share of the click-through ones. */
export const VIEW_THROUGH_SHARE = 0.25;

type PurchaseFigures = { clickCount: number; clickValueMinor: number; viewCount: number; viewValueMinor: number };

export function createPurchaseBook(world: World) {
  const clickAdgroup = new Map<string, { adgroupId: string; at: Date }>();
  const byDay = new Map<string, { count: number; valueMinor: number }>();
  const adgroupOwner = new Map(world.advertisers.flatMap((a) => a.adgroups.map((g) => [g.adgroupId, a] as const)));
  return {
    /** The ad group a ttclid came from, and when; false when the ad group is not in the world. */
    registerClick(ttclid: string, adgroupId: string, at: Date): boolean {
      if (!adgroupOwner.has(adgroupId)) return false;
      clickAdgroup.set(ttclid, { adgroupId, at });
      return true;
    },
    /** A server purchase the dedup ledger counted; true when it belongs to a registered click of the pixel's advertiser. */
    record(pixelCode: string, event: Record<string, unknown>): boolean {
      const user = (event.user ?? {}) as Record<string, unknown>;
      const click = typeof user.ttclid === "string" ? clickAdgroup.get(user.ttclid) : undefined;
      const owner = world.pixelOwner(pixelCode);
      if (!click || !owner || adgroupOwner.get(click.adgroupId) !== owner) return false;
      const adgroupId = click.adgroupId;
      const date = localDate(click.at, owner.timezone);
      const properties = (event.properties ?? {}) as Record<string, unknown>;
      const value = typeof properties.value === "number" && properties.currency === owner.currency ? properties.value : 0;
      const key = `${adgroupId}|${date}`;
      const day = byDay.get(key) ?? { count: 0, valueMinor: 0 };
      day.count += 1;
      day.valueMinor += Math.round(value * 10 ** currencyDigits(owner.currency));
      byDay.set(key, day);
      return true;
    },
    /** One ad group's purchases on one day: click-through, and the view-through added to them. */
    figures(adgroupId: string, date: string): PurchaseFigures {
      const day = byDay.get(`${adgroupId}|${date}`);
      if (!day) return { clickCount: 0, clickValueMinor: 0, viewCount: 0, viewValueMinor: 0 };
      const viewCount = Math.round(day.count * VIEW_THROUGH_SHARE);
      return {
        clickCount: day.count,
        clickValueMinor: day.valueMinor,
        viewCount,
        // Valued at the day's average click-through purchase: no value without a purchase.
        viewValueMinor: Math.round((day.valueMinor * viewCount) / day.count),
      };
    },
    clear() {
      clickAdgroup.clear();
      byDay.clear();
    },
  };
}

export type PurchaseBook = ReturnType<typeof createPurchaseBook>;
