import { useSubmit, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { BlockStack, Button, List, Modal, Text } from "@shopify/polaris";

/**
 * Disconnect, confirmed first in a Polaris Modal that says what stops. Polaris' modal rather than
 * App Bridge's <ui-modal>: it renders the same inside the admin and without App Bridge (the demo,
 * the e2e). See docs/decisions/0020-admin-ux.md.
 */
export function DisconnectButton() {
  const [open, setOpen] = useState(false);
  const submit = useSubmit();
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" && navigation.formData?.get("intent") === "disconnect";
  return (
    <>
      <Button tone="critical" onClick={() => setOpen(true)}>Disconnect TikTok</Button>
      <Modal
        open={open}
        onClose={() => setOpen(false)}
        title="Disconnect TikTok?"
        primaryAction={{
          content: "Disconnect",
          destructive: true,
          loading: busy,
          onAction: () => {
            submit({ intent: "disconnect" }, { method: "post", action: "/app/settings" });
            setOpen(false);
          },
        }}
        secondaryActions={[{ content: "Cancel", onAction: () => setOpen(false) }]}
      >
        <Modal.Section>
          <BlockStack gap="200">
            <Text as="p">The app asks TikTok to revoke its access. From then on:</Text>
            <List>
              <List.Item>New orders are not sent to TikTok (and are not sent later either).</List.Item>
              <List.Item>Spend is no longer imported.</List.Item>
              <List.Item>Events, spend and settings recorded so far stay in the app.</List.Item>
            </List>
            <Text as="p">You can connect again at any time.</Text>
          </BlockStack>
        </Modal.Section>
      </Modal>
    </>
  );
}
