// Tables for remittances (see ../handlers/remittances).
export {};
