import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AppProvider, Button, Card, FormLayout, Page, Text, TextField } from "@shopify/polaris";
import polarisTranslations from "@shopify/polaris/locales/en.json";
import polarisStyles from "@shopify/polaris/build/esm/styles.css";
import { useState } from "react";
import { LoginErrorType } from "@shopify/shopify-app-remix/server";
import { login } from "~/core/shopify.server";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

// Outside the admin (a merchant typing the app URL): ask for the shop, then Shopify's OAuth.
function errorFor(result: Awaited<ReturnType<typeof login>>) {
  if (result instanceof Response) return null;
  if (result?.shop === LoginErrorType.MissingShop) return "Enter your shop domain.";
  if (result?.shop === LoginErrorType.InvalidShop) return "Enter a valid shop domain, like example.myshopify.com.";
  return null;
}

export const loader = async ({ request }: LoaderFunctionArgs) => ({ error: errorFor(await login(request)) });
export const action = async ({ request }: ActionFunctionArgs) => ({ error: errorFor(await login(request)) });

export default function Login() {
  const loaderData = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [shop, setShop] = useState("");
  const error = actionData?.error ?? loaderData.error;
  return (
    <AppProvider i18n={polarisTranslations}>
      <Page narrowWidth>
        <Card>
          <Form method="post">
            <FormLayout>
              <Text variant="headingMd" as="h1">Log in</Text>
              <TextField type="text" name="shop" label="Shop domain" helpText="example.myshopify.com" value={shop} onChange={setShop} autoComplete="on" error={error ?? undefined} />
              <Button submit>Log in</Button>
            </FormLayout>
          </Form>
        </Card>
      </Page>
    </AppProvider>
  );
}
