// Tables for edi (see ../handlers/edi).
export {};
