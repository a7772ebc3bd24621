import type { ReactNode } from "react";
import { BlockStack, Card, Layout, Page, ProgressBar, Text } from "@shopify/polaris";

const STEPS = ["Connect TikTok", "Choose ad account", "Choose pixel", "Save and verify"];

export function WizardFrame({ step, children }: { step: 1 | 2 | 3 | 4; children: ReactNode }) {
  return (
    <Page title="Connect TikTok" backAction={{ content: "Home", url: "/app" }}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="200">
                <Text as="p" variant="bodySm" tone="subdued">
                  Step {step} of {STEPS.length}: {STEPS[step - 1]}
                </Text>
                <ProgressBar progress={(step / STEPS.length) * 100} size="small" />
              </BlockStack>
            </Card>
            {children}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
