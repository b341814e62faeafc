// Dense text for the budget tests (dense-text*.test.ts).
export const JAPANESE =
  '東京は日本の首都であり、世界でも有数の大都市です。多くの人々が毎日電車で通勤し、駅の周りには商店や飲食店が立ち並んでいます。' +
  '季節ごとに祭りが開かれ、春には桜、秋には紅葉を楽しむ人々で公園がにぎわいます。歴史的な寺社と近代的な高層ビルが共存する街並みは、' +
  '訪れる人々に強い印象を与えます。';
export const DENSE_PRICE = { inputPerMTok: 1, outputPerMTok: 1 };
export const DENSE_BUDGET = 0.002;

/** 100 concurrent requests of dense text, each with its own suffix so none is cached. */
export function denseRequests(url: string, key: string, n = 100) {
  return Array.from({ length: n }, (_, i) =>
    fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      signal: AbortSignal.timeout(30_000),
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'openai/gpt-4o-mini',
        max_tokens: 20,
        messages: [{ role: 'user', content: `${JAPANESE}（${i}）` }],
      }),
    }).then(async (r) => {
      await r.text();
      return r.status;
    }),
  );
}
