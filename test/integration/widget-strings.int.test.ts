// The web chat widget's own labels come from the catalogs, in the customer's language.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ workers: false });
});
afterAll(async () => {
  await h.close();
});

it('serves the widget labels per locale, right-to-left where the script is', async () => {
  const en = await h.http.get('/webchat/strings').query({ locale: 'en' });
  expect(en.status).toBe(200);
  expect(en.body).toMatchObject({ send: 'Send', dir: 'ltr' });
  const ta = await h.http.get('/webchat/strings').query({ locale: 'ta' });
  expect(ta.body.send).not.toBe('Send');
  expect(ta.body.send).toMatch(/[\u0B80-\u0BFF]/);
  const ur = await h.http.get('/webchat/strings').query({ locale: 'ur' });
  expect(ur.body.dir).toBe('rtl');
  expect(ur.body.placeholder).toMatch(/[\u0600-\u06FF]/);
  // An unknown locale gets the default language, not an error.
  const xx = await h.http.get('/webchat/strings').query({ locale: 'xx' });
  expect(xx.status).toBe(200);
  expect(xx.body.send).toBe('Send');
});
