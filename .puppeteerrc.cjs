/**
 * whatsapp-web.js depends on puppeteer, whose install would download a Chrome build.
 * Wijklijn uses the system's Chromium (CHROMIUM_PATH) instead, so nothing is downloaded.
 */
module.exports = { skipDownload: true };
