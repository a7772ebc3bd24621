import { Link, useMatches } from "@remix-run/react";

type NavLink = { to: string; label: string };

/** A route above the /app pages can add links to the app's menu through its `handle`. */
export type NavLinkHandle = { navLinks: NavLink[] };

const LINKS: NavLink[] = [
  { to: "/app/connect", label: "Connect TikTok" },
  { to: "/app/events", label: "Events" },
  { to: "/app/dashboard", label: "Dashboard" },
  { to: "/app/settings", label: "Settings" },
  { to: "/app/data-requests", label: "Data requests" },
];

/** The app's menu: App Bridge shows <ui-nav-menu> in the admin's sidebar. */
export function AppNav() {
  const extra = useMatches().flatMap((match) => (match.handle as Partial<NavLinkHandle> | undefined)?.navLinks ?? []);
  return (
    <ui-nav-menu>
      <Link to="/app" rel="home">Home</Link>
      {[...LINKS, ...extra].map((link) => (
        <Link key={link.to} to={link.to}>{link.label}</Link>
      ))}
    </ui-nav-menu>
  );
}
