import { Outlet } from "@remix-run/react";
import type { NavLinkHandle } from "~/components/AppNav";
// Sends the app's Admin API calls to the admin stand-in (a side effect of loading the demo build).
import "~/features/demo/admin-api.server";

// Only in the demo build (APP_BUILD=demo, see remix.config.js): a layout around /app for the
// embedded app opened outside Shopify's admin, by the demo's admin stand-in.
//
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

// Inside the admin, App Bridge moves <ui-nav-menu> into Shopify's sidebar. Outside it, show the
// same links as a plain bar.
const outsideAdminNav = `.outside-admin ui-nav-menu{display:flex;flex-wrap:wrap;gap:8px 20px;padding:12px 24px;background:#fff;border-bottom:1px solid #e3e3e3;font:500 14px/20px Inter,system-ui,sans-serif}
.outside-admin ui-nav-menu a{color:#303030;text-decoration:none}.outside-admin ui-nav-menu a:hover{text-decoration:underline}
ui-nav-menu{display:none}.outside-admin ui-nav-menu{display:flex}`;

export const handle: NavLinkHandle = { navLinks: [{ to: "/app/demo", label: "Demo panel" }] };

export default function OutsideAdmin() {
  return (
    <>
      <Outlet />
      {/* After the page, so App Bridge's own script (inside the page's AppProvider) has run first. */}
      <script dangerouslySetInnerHTML={{ __html: sessionTokenFallback }} />
      <style>{outsideAdminNav}</style>
    </>
  );
}
