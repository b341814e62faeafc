// A cheap first test before walking a parsed body for a field or type a check looks for. Pure.

/**
 * Whether a body's text may name `word`: a substring test that rules out most requests before any
 * walk of the parsed body (an escape such as \u0066 could spell the word in JSON, so any `\u` counts).
 */
export const mayName = (text: string, word: string): boolean => text.includes(word) || text.includes('\\u');
