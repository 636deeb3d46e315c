// One Lighthouse audit of one page, signed in: run.py calls it once per page.
//   node audit.mjs <url> <report.json> [cookie-name=value; ...]
// Lighthouse's --extra-headers sends a Cookie header with the page but not with the page's own
// fetches (the htmx session check), which then find no session and sign the page out. So the
// cookies go into the browser's cookie jar instead, through puppeteer, before Lighthouse loads the page.
import { writeFileSync } from "node:fs";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import puppeteer from "puppeteer-core";

const [url, output, cookieHeader = ""] = process.argv.slice(2);
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH || "/usr/bin/chromium",
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking"],
});
try {
  const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}` });
  const page = await browser.newPage();
  const cookies = cookieHeader.split(";").map((pair) => pair.trim()).filter(Boolean).map((pair) => {
    const at = pair.indexOf("=");
    return { name: pair.slice(0, at), value: pair.slice(at + 1), url };
  });
  if (cookies.length) await page.setCookie(...cookies);
  const result = await lighthouse(
    url,
    { output: "json", logLevel: "error", onlyCategories: ["performance", "accessibility", "best-practices"], maxWaitForLoad: 30000 },
    undefined,
    page,
  );
  writeFileSync(output, result.report);
  await browser.disconnect();
} finally {
  await chrome.kill();
}
