// Limits shared by every process that decodes images: larger images are refused as likely
// decompression bombs (the same bound as Pillow's warning threshold).
export const MAX_IMAGE_PIXELS = 89_478_485;
