import { useId, type ReactNode } from "react";
import { BlockStack, Card, Layout, Page, ProgressBar, Text } from "@shopify/polaris";

const STEPS = ["Connect TikTok", "Choose ad account", "Choose pixel", "Save and verify"];

/**
 * A wizard step's page. The last step is the connection's own page ("TikTok connection", as the menu
 * names it once connected): it shows the step counter only when reached from the wizard (step 4).
 */
export function WizardFrame({ step, title = "Connect TikTok", children }: { step: 1 | 2 | 3 | 4 | null; title?: string; children: ReactNode }) {
  const stepId = useId();
  return (
    <Page title={title} backAction={{ content: "Home", url: "/app" }}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {step ? (
              <Card>
                <BlockStack gap="200">
                  <Text as="p" variant="bodySm" tone="subdued" id={stepId}>
                    Step {step} of {STEPS.length}: {STEPS[step - 1]}
                  </Text>
                  <ProgressBar progress={(step / STEPS.length) * 100} size="small" ariaLabelledBy={stepId} />
                </BlockStack>
              </Card>
            ) : null}
            {children}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
