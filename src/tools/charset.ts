/**
 * File names are UTF-8 strings in node; every tool that converts them (to
 * Joliet's UCS-2, to FAT's UTF-16 long names and OEM short names) is told so
 * explicitly instead of guessing from the build machine's locale — CI runners
 * and containers often run with LANG=C, where a tool would take each UTF-8
 * byte for a character. C.UTF-8 is built into glibc (2.35+), so it exists on
 * every machine that runs capmedia.
 */
export const UTF8_LOCALE: Readonly<Record<string, string>> = { LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8' };

/**
 * xorriso in mkisofs emulation: names read from the disk are UTF-8 and Rock
 * Ridge names are written as UTF-8; Joliet is always UCS-2.
 */
export const XORRISO_MKISOFS_CHARSET = ['-input-charset', 'UTF-8', '-output-charset', 'UTF-8'] as const;

/** xorriso's native commands (reading an ISO): names are printed and taken as UTF-8. */
export const XORRISO_NATIVE_CHARSET = ['-local_charset', 'UTF-8'] as const;

/**
 * The OEM code page of FAT short names. 850 (Western European, mtools' own
 * default) holds the letters of Swedish, German and French names; pinned so
 * a ~/.mtoolsrc cannot change the bytes of the image. The environment wins
 * over mtools' configuration files.
 */
export const FAT_CODE_PAGE = 850;

/** Code page 850's characters 0x80–0xFF, in byte order. */
export const CP850_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜø£Ø×ƒáíóúñÑªº¿®¬½¼¡«»░▒▓│┤ÁÂÀ©╣║╗╝¢¥┐└┴┬├─┼ãÃ╚╔╩╦╠═╬¤ðÐÊËÈıÍÎÏ┘┌█▄¦Ì▀ÓßÔÒõÕµþÞÚÛÙýÝ¯´\u00ad±‗¾¶§÷¸°¨·¹³²■\u00a0';

/** Everything mtools needs to turn UTF-8 names into the same long and short names on every machine. */
export const MTOOLS_NAME_ENV: Readonly<Record<string, string>> = {
  ...UTF8_LOCALE,
  DEFAULT_CODEPAGE: String(FAT_CODE_PAGE),
  // Long names for every name that needs one, "~1" tails on every shortened name, as Windows does.
  MTOOLS_NO_VFAT: '0',
  MTOOLS_NAME_NUMERIC_TAIL: '1',
};
