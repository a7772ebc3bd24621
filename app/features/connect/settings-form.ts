// The settings form's rules, shared by the page (feedback as the merchant types) and the action
// (the check that counts). Messages say what to enter.
import { z } from "zod";

export const WINDOW_MESSAGE = "Enter a whole number of days from 1 to 90.";
/** TikTok's longest click-through attribution window in Ads Manager. */
const TIKTOK_MAX_CLICK_WINDOW_DAYS = 28;

export const attributionWindowDays = z
  .string({ required_error: WINDOW_MESSAGE, invalid_type_error: WINDOW_MESSAGE })
  .trim()
  .refine((v) => /^[0-9]{1,2}$/.test(v) && Number(v) >= 1 && Number(v) <= 90, WINDOW_MESSAGE)
  .transform(Number);

export const settingsSchema = z.object({
  intent: z.literal("save"),
  attributionWindowDays,
  sendMode: z.enum(["attributed", "all"], { errorMap: () => ({ message: "Choose which orders to send." }) }),
  eventName: z.enum(["CompletePayment", "Purchase"], { errorMap: () => ({ message: "Choose CompletePayment or Purchase." }) }),
  // Order sources (issue 13): "true"/"false" from hidden fields; a form without them leaves them as they are.
  includePosAndDraft: z
    .enum(["true", "false"], { errorMap: () => ({ message: "Choose whether to send point of sale and draft orders." }) })
    .transform((v) => v === "true")
    .optional(),
  sendSubscriptionRenewals: z
    .enum(["true", "false"], { errorMap: () => ({ message: "Choose whether to send subscription renewals." }) })
    .transform((v) => v === "true")
    .optional(),
  // A form without it leaves it as it is.
  contentIdType: z.enum(["variant", "product", "sku"], { errorMap: () => ({ message: "Choose variant ID, product ID or SKU." }) }).optional(),
  sendWhen: z.enum(["checkout", "paid"], { errorMap: () => ({ message: "Choose at checkout or when paid." }) }).optional(),
  limitedDataUse: z
    .enum(["true", "false"], { errorMap: () => ({ message: "Choose whether to send buyers who opted out of the sale of their data with Limited Data Use." }) })
    .transform((v) => v === "true")
    .optional(),
  browserPixelReportsPurchases: z
    .enum(["true", "false"], { errorMap: () => ({ message: "Choose whether a browser pixel on your store reports purchases to this TikTok pixel." }) })
    .transform((v) => v === "true")
    .optional(),
});

/** The field's help: what the window means, and TikTok's own limit, so TikTok's reports can be compared. */
export function windowHelp(days: string) {
  const base = `An order is credited to a TikTok ad click made up to this many days before it. TikTok Ads Manager credits clicks up to ${TIKTOK_MAX_CLICK_WINDOW_DAYS} days old (its attribution settings).`;
  const n = Number(days);
  return Number.isInteger(n) && n > TIKTOK_MAX_CLICK_WINDOW_DAYS ? `${base} Past that, its reports may count fewer of these orders than this app sends.` : base;
}
