// A UTF-16 surrogate without its pair cannot be encoded as UTF-8: PostgreSQL refuses it in text
// and TikTok cannot read it. `search` ignores the global flag's lastIndex, so one regex serves both.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export const hasLoneSurrogate = (value: string) => value.search(LONE_SURROGATE) !== -1;

/** Each lone surrogate replaced by U+FFFD, as a UTF-8 encoder would. */
export const replaceLoneSurrogates = (value: string) => value.replace(LONE_SURROGATE, "\ufffd");
