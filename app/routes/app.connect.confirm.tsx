import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, InlineStack, List, Text } from "@shopify/polaris";
import { z } from "zod";
import { authenticate } from "~/core/shopify.server";
import { confirmGrant, describeGrant, discardGrant, GRANT_NOT_WAITING } from "~/features/connect/connect.server";
import { shopTimeZone } from "~/features/events/stats.server";
import { WizardFrame } from "~/components/WizardFrame";
import { formatInZone } from "~/components/format";
import { titled } from "~/components/page-title";

export const meta = titled("Connect TikTok");

// Where /tiktok/callback sends the merchant back to, inside the admin: what TikTok granted becomes
// this store's connection only when someone signed in to this store's admin confirms it here.
// A start link opened in another browser ends here too, in that browser, which is not.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const code = new URL(request.url).searchParams.get("grant");
  const [grant, timeZone] = await Promise.all([describeGrant(session.shop, code), shopTimeZone(session.shop)]);
  return { code: grant ? code : null, grant: grant && { ...grant, grantedAt: grant.grantedAt.toISOString() }, timeZone };
};

const formSchema = z.object({ grant: z.string().min(1).max(100), intent: z.enum(["confirm", "discard"]) });

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session, redirect } = await authenticate.admin(request);
  const parsed = formSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return { error: GRANT_NOT_WAITING, discarded: false };
  if (parsed.data.intent === "discard") {
    const result = await discardGrant(session.shop, parsed.data.grant);
    return result.ok ? { error: null, discarded: true } : { error: result.error, discarded: false };
  }
  const result = await confirmGrant(session.shop, parsed.data.grant);
  if (!result.ok) return { error: result.error, discarded: false };
  // The wizard resumes at the step the connection now needs (account and pixel, or done on a reconnect).
  throw redirect("/app/connect");
};

export default function ConfirmStep() {
  const { code, grant, timeZone } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  if (result?.discarded) {
    return (
      <WizardFrame step={1}>
        <Banner tone="info" title="TikTok authorization discarded">
          <p>Nothing was connected and TikTok was asked to revoke that access. Your store&apos;s TikTok connection is as it was.</p>
        </Banner>
      </WizardFrame>
    );
  }
  if (!grant || !code) {
    return (
      <WizardFrame step={1}>
        <Banner tone="warning" title="Nothing to confirm" action={{ content: "Connect TikTok", url: "/app/connect" }}>
          <p>{GRANT_NOT_WAITING}</p>
        </Banner>
      </WizardFrame>
    );
  }
  const busy = (intent: string) => navigation.state !== "idle" && navigation.formData?.get("intent") === intent;
  return (
    <WizardFrame step={1}>
      <Card>
        <BlockStack gap="400">
          {result?.error ? <Banner tone="critical"><p>{result.error}</p></Banner> : null}
          <Text as="h2" variant="headingMd">Connect this TikTok authorization to {grant.shop}?</Text>
          <Text as="p">
            TikTok for Business granted access on {formatInZone(grant.grantedAt, timeZone)} to {grant.accounts.length === 1 ? "this ad account" : `these ${grant.accounts.length} ad accounts`}:
          </Text>
          <List>
            {grant.accounts.map((a) => (
              <List.Item key={a.advertiserId}>{a.name ? `${a.name} (ID ${a.advertiserId})` : `ID ${a.advertiserId}`}</List.Item>
            ))}
          </List>
          <Text as="p" tone="subdued">
            Confirm only if you approved this on TikTok&apos;s page a moment ago. If you did not, discard it: nothing is connected until
            someone signed in to this store&apos;s admin confirms.
          </Text>
          <InlineStack gap="200">
            <Form method="post">
              <input type="hidden" name="grant" value={code} />
              <input type="hidden" name="intent" value="confirm" />
              <Button submit variant="primary" loading={busy("confirm")}>Confirm and connect</Button>
            </Form>
            <Form method="post">
              <input type="hidden" name="grant" value={code} />
              <input type="hidden" name="intent" value="discard" />
              <Button submit tone="critical" loading={busy("discard")}>Discard</Button>
            </Form>
          </InlineStack>
        </BlockStack>
      </Card>
    </WizardFrame>
  );
}
