import { randomUUID } from "node:crypto";
import { sha256Hex } from "~/features/events/normalise";
import { withTikTok } from "~/core/connection/session.server";

/**
 * Sends one clearly-marked test purchase with the merchant's Test Events code. Resolves only when
 * TikTok accepted it (code 0), with the event name as sent: that is the name TikTok received.
 */
export async function sendTestEvent(shop: string, testEventCode: string) {
  return withTikTok(shop, async ({ client, token, connection }) => {
    const result = await client.trackEvents(token, {
      pixelCode: connection.pixelCode!,
      testEventCode,
      events: [
        {
          event: connection.eventName === "Purchase" ? "Purchase" : "CompletePayment",
          event_time: Math.floor(Date.now() / 1000),
          event_id: `test_${randomUUID()}`,
          user: { external_id: sha256Hex(`test-visitor-${shop}`) },
          page: { url: `https://${shop}/` },
          properties: { value: 1, currency: connection.advertiserCurrency ?? "USD" },
        },
      ],
    });
    return { eventName: connection.eventName, requestId: result.requestId };
  });
}
