// Tables for work (see ../handlers/work).
export {};
