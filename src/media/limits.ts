// What Baton keeps and sends: WhatsApp's own ceiling (16 MiB for audio and video, less for
// images) is the largest any channel takes, and only types every agent can open.
export const MAX_MEDIA_BYTES = 16 * 1024 * 1024;

const ALLOWED = [/^image\/(jpeg|png|webp|gif)$/, /^application\/pdf$/, /^audio\/(aac|mp4|mpeg|amr|ogg|opus|wav)$/, /^video\/(mp4|3gpp|quicktime)$/];

/** The bare type (no parameters), lower case. */
export const bareType = (mimeType: string | undefined | null) => (mimeType ?? '').split(';')[0]!.trim().toLowerCase();

export const isAllowedType = (mimeType: string | undefined | null) => ALLOWED.some((re) => re.test(bareType(mimeType)));

