#pragma once
// A valid complaint in Kazakh, as a citizen would file it; tests change what they examine.

#include "kiosk/complaint.h"

inline kiosk::Complaint sample_complaint() {
    kiosk::Complaint c;
    c.addressee = kiosk::Addressee::ProviderHead;
    c.service_code = "KZ-GU-001";
    c.service_date = "20.11.2026";
    c.surname = "Әбілқасымова";
    c.first_name = "Айгүл";
    c.patronymic = "Қуанышқызы";
    c.iin = "900101300007";
    c.postal_address = "Көкшетау қ., Абай к-сі, 83, 309 пәтер";
    c.officials = {{"Бөлім басшысы", "Жұмабеков", "Н. Ө."}};
    c.grounds = "Маған анықтама заңсыз берілмеді, себебі көрсетілмеді.";
    c.demands = "Анықтаманы беруді талап етемін.";
    c.phone = "8 701 123 45 67";
    c.consent = true;
    c.signature = {{{0.1f, 0.5f}, {0.2f, 0.6f}, {0.3f, 0.4f}}};
    return c;
}
