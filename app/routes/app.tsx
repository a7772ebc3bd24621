import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css";
import { authenticate } from "~/core/shopify.server";
import { env } from "~/core/env.server";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  await authenticate.admin(request);
  return { apiKey: env().SHOPIFY_API_KEY, demoMode: env().DEMO_MODE };
};

// App Bridge (loaded from Shopify's CDN inside the admin) adds a fresh session token to every
// same-origin fetch. Outside the admin, or when its script cannot load, keep the token the
// admin put in the URL and add it ourselves, so Remix data requests still authenticate; and keep
// the admin's query parameters on in-app navigations, so a reload authenticates as well.
const sessionTokenFallback = `(function(){try{
if(window.shopify&&window.shopify.idToken)return;
document.documentElement.classList.add("outside-admin");
var keys=["embedded","shop","host","id_token"],q=new URLSearchParams(location.search),saved={};
if(q.get("id_token")){keys.forEach(function(k){if(q.get(k))saved[k]=q.get(k);});sessionStorage.setItem("app:embedded",JSON.stringify(saved));}
else{saved=JSON.parse(sessionStorage.getItem("app:embedded")||"{}");}
var f=window.fetch;window.fetch=function(input,init){
if(window.shopify&&window.shopify.idToken)return f(input,init);
var url=typeof input==="string"?input:(input&&input.url)||String(input);
if(saved.id_token&&new URL(url,location.href).origin===location.origin){init=Object.assign({},init);
var h=new Headers(init.headers||(input instanceof Request?input.headers:undefined));
if(!h.has("Authorization"))h.set("Authorization","Bearer "+saved.id_token);init.headers=h;}
return f(input,init);};
["pushState","replaceState"].forEach(function(m){var orig=history[m];history[m]=function(state,title,url){
if(url!=null&&saved.id_token){var u=new URL(url,location.href);
if(u.origin===location.origin&&u.pathname.indexOf("/app")===0){keys.forEach(function(k){if(saved[k]&&!u.searchParams.has(k))u.searchParams.set(k,saved[k]);});url=u.pathname+u.search+u.hash;}}
return orig.call(this,state,title,url);};});
}catch(e){}})();`;

// Inside the admin, App Bridge moves <ui-nav-menu> into Shopify's sidebar. Outside it (the demo),
// show the same links as a plain bar.
const outsideAdminNav = `.outside-admin ui-nav-menu{display:flex;gap:20px;padding:12px 24px;background:#fff;border-bottom:1px solid #e3e3e3;font:500 14px/20px Inter,system-ui,sans-serif}
.outside-admin ui-nav-menu a{color:#303030;text-decoration:none}.outside-admin ui-nav-menu a:hover{text-decoration:underline}
ui-nav-menu{display:none}.outside-admin ui-nav-menu{display:flex}`;

export default function App() {
  const { apiKey, demoMode } = useLoaderData<typeof loader>();
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey}>
      <script dangerouslySetInnerHTML={{ __html: sessionTokenFallback }} />
      <style>{outsideAdminNav}</style>
      <ui-nav-menu>
        <Link to="/app" rel="home">Home</Link>
        <Link to="/app/connect">Connect TikTok</Link>
        <Link to="/app/events">Events</Link>
        <Link to="/app/dashboard">Dashboard</Link>
        <Link to="/app/settings">Settings</Link>
        {demoMode ? <Link to="/app/demo">Demo</Link> : null}
      </ui-nav-menu>
      <Outlet />
    </AppProvider>
  );
}

// Shopify's auth helpers throw Responses (bounce, exit-iframe); boundary lets them through.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
