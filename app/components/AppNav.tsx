import { Link, useMatches } from "@remix-run/react";

type NavLink = { to: string; label: string };

/** A route above the /app pages can add links to the app's menu through its `handle`. */
export type NavLinkHandle = { navLinks: NavLink[] };

/** The connection page's title, which the menu repeats: the wizard until connected, then the connection's page. */
export const connectionPageTitle = (connected: boolean) => (connected ? "TikTok connection" : "Connect TikTok");

/** The app's menu: App Bridge shows <ui-nav-menu> in the admin's sidebar. Each label is its page's title. */
export function AppNav({ connected }: { connected: boolean }) {
  const extra = useMatches().flatMap((match) => (match.handle as Partial<NavLinkHandle> | undefined)?.navLinks ?? []);
  const links: NavLink[] = [
    { to: "/app/connect", label: connectionPageTitle(connected) },
    { to: "/app/events", label: "Events" },
    { to: "/app/dashboard", label: "Spend & ROAS" },
    { to: "/app/settings", label: "Settings" },
    { to: "/app/data-requests", label: "Data requests" },
    { to: "/app/help", label: "Help" },
  ];
  return (
    <ui-nav-menu>
      <Link to="/app" rel="home">Home</Link>
      {[...links, ...extra].map((link) => (
        <Link key={link.to} to={link.to}>{link.label}</Link>
      ))}
    </ui-nav-menu>
  );
}
