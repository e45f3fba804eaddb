// The sample complaint filed by touch on the real kiosk, as a Kazakh-speaking citizen would, in
// the steps the UI tests stop between (to look at a screen, or do something else there).
// Header only.
#pragma once
#include "kiosk_driver.h"

#include <chrono>

namespace testsupport {

// On the applicant step: the applicant's names, IIN and address, the caret left in the address.
inline void touch_applicant(Kiosk& k) {
    k.press("field.surname#0");
    k.type("Әбілқасымова");
    k.press("field.first_name#0");
    k.type("Айгүл");
    k.press("field.iin#0");
    k.type("900101300007");
    k.press("field.postal_address#0");
    k.type("Көкшетау, Абай 83");
}

// From the home screen to the applicant step, every answer valid, the caret in the address.
inline void touch_home_to_address(Kiosk& k) {
    k.press("home.file");
    k.press("addressee.provider_head");
    k.press("nav.next");
    k.press("service:KZ-GU-001");
    k.press("nav.next");
    touch_applicant(k);
}

// The same from the attract screen, in Kazakh.
inline void touch_to_address(Kiosk& k) {
    k.press("language:kk");
    touch_home_to_address(k);
}

// On the officials step: the first official's position, surname and initials.
inline void touch_an_official(Kiosk& k) {
    k.press("field.official_position#0");
    k.type("бөлім басшысы");
    k.press("field.official_surname#0");
    k.type("Жұмабеков");
    k.press("field.official_initials#0");
    k.type("Н. Ө.");
}

// From the officials step (officials are optional) to a signed signature step.
inline void touch_to_signature(Kiosk& k) {
    k.press("nav.next");
    k.press("field.grounds#0");
    k.type("анықтама берілмеді");
    k.press("field.demands#0");
    k.type("анықтама беру");
    k.press("nav.next");
    k.press("field.phone#0");
    k.type("87011234567");
    k.press("nav.next");
    k.press("review.consent");
    k.press("nav.next");
    k.sign();
}

// Sends the signed complaint and waits for the done screen.
inline void touch_submit(Kiosk& k) {
    using namespace std::chrono_literals;
    k.press("nav.next");
    k.wait_for("done.finish", 30s);
}

}  // namespace testsupport
