// The LMS frame's pages: no inline scripts (the Content-Security-Policy refuses them), so they are here.

// Log-in check: inside an LMS frame the browser must keep this site's cookies (partitioned, see
// lti/framing.py), or the launch cannot be verified. If it does, go on; if not, offer a new window.
const check = document.querySelector("[data-lti-cookie-check]");
if (check) {
  const attributes = "; path=/; SameSite=None; Secure; Partitioned";
  document.cookie = "lti_cookie_check=1" + attributes;
  if (document.cookie.includes("lti_cookie_check=1")) {
    document.cookie = "lti_cookie_check=; max-age=0" + attributes;
    window.location.replace(check.dataset.continueUrl);
  } else {
    check.querySelector("[data-lti-checking]").hidden = true;
    check.querySelector("[data-lti-cookies-blocked]").hidden = false;
  }
}

// The signed deep-linking answer goes back to the LMS at once.
for (const form of document.querySelectorAll("form[data-lti-auto-submit]")) {
  form.submit();
}
